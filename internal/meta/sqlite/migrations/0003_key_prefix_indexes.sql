-- PostgreSQL adds pattern-ops indexes for prefix matches in this step.
-- SQLite needs none: prefix matches are rendered as key ranges that its
-- B-tree indexes on key and uid already serve. The step keeps both
-- dialects' schema versions in step.
SELECT 1;
