-- PostgreSQL adds trigram indexes for search in this step. SQLite's search
-- scans the (small) transform table; the step keeps both dialects' schema
-- versions in step.
SELECT 1;
