-- Search selects candidates with ILIKE '%text%' over every text column of a
-- registry, OR'd; the planner can combine index scans only when each column
-- has a trigram index. Transforms get one per text column (key and
-- description have theirs since 0001).
CREATE INDEX lamindb_transform_uid_trgm_idx ON lamindb_transform USING gin (uid gin_trgm_ops);
CREATE INDEX lamindb_transform_type_trgm_idx ON lamindb_transform USING gin (type gin_trgm_ops);
CREATE INDEX lamindb_transform_source_code_trgm_idx ON lamindb_transform USING gin (source_code gin_trgm_ops);
CREATE INDEX lamindb_transform_hash_trgm_idx ON lamindb_transform USING gin (hash gin_trgm_ops);
CREATE INDEX lamindb_transform_reference_trgm_idx ON lamindb_transform USING gin (reference gin_trgm_ops);
CREATE INDEX lamindb_transform_reference_type_trgm_idx ON lamindb_transform USING gin (reference_type gin_trgm_ops);
CREATE INDEX lamindb_transform_version_trgm_idx ON lamindb_transform USING gin (version gin_trgm_ops);
