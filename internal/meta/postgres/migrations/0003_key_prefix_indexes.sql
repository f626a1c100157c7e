-- Prefix matches (key__startswith, how folders are listed) are rendered as
-- LIKE 'prefix%'; pattern-ops indexes serve them under any collation.
CREATE INDEX lamindb_artifact_key_pattern_idx ON lamindb_artifact (key varchar_pattern_ops);
CREATE INDEX lamindb_transform_key_pattern_idx ON lamindb_transform (key varchar_pattern_ops);
CREATE INDEX lamindb_artifact_uid_pattern_idx ON lamindb_artifact (uid varchar_pattern_ops);
CREATE INDEX lamindb_transform_uid_pattern_idx ON lamindb_transform (uid varchar_pattern_ops);
