-- The save protocol's two missing ideas. An unfinished save (an artifact
-- whose _aux says its bytes are being stored) has an owner: the process
-- that stores its bytes, with a lease it renews while it runs; `check
-- --repair` touches the record only when that process is gone or the lease
-- expired. Every folder artifact has a manifest: the relative path, size
-- and hash of each of its files, which repair and `check` compare with the
-- files under their own names (md5-d cannot see names).
CREATE TABLE lamin_artifact_save (
    artifact_id INTEGER PRIMARY KEY REFERENCES lamindb_artifact (id) ON DELETE CASCADE,
    token VARCHAR(40) NOT NULL,
    host VARCHAR(255) NOT NULL,
    pid INTEGER NOT NULL,
    started_at BIGINT NOT NULL,
    lease_until BIGINT NOT NULL
);
CREATE INDEX lamin_artifact_save_token_idx ON lamin_artifact_save (token);
CREATE TABLE lamin_artifact_file (
    artifact_id INTEGER NOT NULL REFERENCES lamindb_artifact (id) ON DELETE CASCADE,
    path VARCHAR(4096) NOT NULL,
    size BIGINT NOT NULL,
    hash VARCHAR(40) NOT NULL,
    hash_type VARCHAR(30) NOT NULL,
    PRIMARY KEY (artifact_id, path)
);
