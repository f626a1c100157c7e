-- Core registries of a lamin instance, with LaminDB's table and column names.
-- Timestamps are UTC text 'YYYY-MM-DD HH:MM:SS.ffffff+00:00' so that text order is time order.

CREATE TABLE lamindb_user (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid VARCHAR(8) NOT NULL UNIQUE,
    handle VARCHAR(30) NOT NULL UNIQUE,
    name VARCHAR(150) NULL,
    created_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f000+00:00', 'now')),
    updated_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f000+00:00', 'now'))
);
CREATE INDEX lamindb_user_name_idx ON lamindb_user (name);
CREATE INDEX lamindb_user_created_at_idx ON lamindb_user (created_at);

CREATE TABLE lamindb_space (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid VARCHAR(12) NOT NULL UNIQUE,
    name VARCHAR(100) NOT NULL,
    description TEXT NULL,
    created_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f000+00:00', 'now')),
    created_by_id INTEGER NULL REFERENCES lamindb_user (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX lamindb_space_lower_name_uniq ON lamindb_space (lower(name));
CREATE INDEX lamindb_space_name_idx ON lamindb_space (name);

CREATE TABLE lamindb_branch (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid VARCHAR(12) NOT NULL UNIQUE,
    name VARCHAR(100) NOT NULL,
    space_id INTEGER NOT NULL DEFAULT 1 REFERENCES lamindb_space (id),
    description TEXT NULL,
    created_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f000+00:00', 'now')),
    created_by_id INTEGER NULL REFERENCES lamindb_user (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX lamindb_branch_lower_name_uniq ON lamindb_branch (lower(name));

INSERT INTO lamindb_space (id, uid, name, description) VALUES (1, 'aaaaaaaaaaaa', 'all', 'Every team member has access to this space.');
INSERT INTO lamindb_branch (id, uid, name, description) VALUES (-1, 'tttttttttttt', 'trash', 'The trash.');
INSERT INTO lamindb_branch (id, uid, name, description) VALUES (0, 'aaaaaaaaaaaa', 'archive', 'The archive.');
INSERT INTO lamindb_branch (id, uid, name, description) VALUES (1, 'mmmmmmmmmmmm', 'main', 'The main & default branch of the instance.');

CREATE TABLE lamindb_storage (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid VARCHAR(12) NOT NULL UNIQUE,
    root VARCHAR(255) NOT NULL UNIQUE,
    description TEXT NULL,
    type VARCHAR(30) NOT NULL,
    region VARCHAR(64) NULL,
    instance_uid VARCHAR(12) NULL,
    _branch_code INTEGER NOT NULL DEFAULT 1 REFERENCES lamindb_branch (id),
    space_id INTEGER NOT NULL DEFAULT 1 REFERENCES lamindb_space (id),
    is_locked BOOL NOT NULL DEFAULT 0,
    _aux TEXT NULL,
    created_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f000+00:00', 'now')),
    created_by_id INTEGER NOT NULL REFERENCES lamindb_user (id),
    run_id BIGINT NULL REFERENCES lamindb_run (id),
    updated_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f000+00:00', 'now'))
);
CREATE INDEX lamindb_storage_type_idx ON lamindb_storage (type);
CREATE INDEX lamindb_storage_created_at_idx ON lamindb_storage (created_at);
CREATE INDEX lamindb_storage_updated_at_idx ON lamindb_storage (updated_at);

CREATE TABLE lamindb_transform (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid VARCHAR(16) NOT NULL UNIQUE,
    key VARCHAR(1024) NULL,
    description TEXT NULL,
    type VARCHAR(20) NOT NULL DEFAULT 'pipeline',
    source_code TEXT NULL,
    hash VARCHAR(22) NULL,
    reference VARCHAR(255) NULL,
    reference_type VARCHAR(25) NULL,
    _template_id INTEGER NULL REFERENCES lamindb_transform (id),
    version VARCHAR(30) NULL,
    is_latest BOOL NOT NULL DEFAULT 1,
    _branch_code INTEGER NOT NULL DEFAULT 1 REFERENCES lamindb_branch (id),
    space_id INTEGER NOT NULL DEFAULT 1 REFERENCES lamindb_space (id),
    is_locked BOOL NOT NULL DEFAULT 0,
    _aux TEXT NULL,
    created_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f000+00:00', 'now')),
    created_by_id INTEGER NOT NULL REFERENCES lamindb_user (id),
    updated_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f000+00:00', 'now')),
    UNIQUE (key, hash)
);
CREATE INDEX lamindb_transform_key_idx ON lamindb_transform (key);
CREATE INDEX lamindb_transform_description_idx ON lamindb_transform (description);
CREATE INDEX lamindb_transform_hash_idx ON lamindb_transform (hash);
CREATE INDEX lamindb_transform_type_idx ON lamindb_transform (type);
CREATE INDEX lamindb_transform_version_idx ON lamindb_transform (version);
CREATE INDEX lamindb_transform_is_latest_idx ON lamindb_transform (is_latest);
CREATE INDEX lamindb_transform_created_at_idx ON lamindb_transform (created_at);
CREATE INDEX lamindb_transform_created_by_idx ON lamindb_transform (created_by_id, type);
CREATE INDEX lamindb_transform_updated_at_idx ON lamindb_transform (updated_at);

CREATE TABLE lamindb_run (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid VARCHAR(20) NOT NULL UNIQUE,
    name VARCHAR(150) NULL,
    transform_id INTEGER NOT NULL REFERENCES lamindb_transform (id) ON DELETE CASCADE,
    started_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f000+00:00', 'now')),
    finished_at DATETIME NULL,
    report_id INTEGER NULL REFERENCES lamindb_artifact (id),
    _logfile_id INTEGER NULL REFERENCES lamindb_artifact (id),
    environment_id INTEGER NULL REFERENCES lamindb_artifact (id),
    reference VARCHAR(255) NULL,
    reference_type VARCHAR(25) NULL,
    initiated_by_run_id BIGINT NULL REFERENCES lamindb_run (id) ON DELETE CASCADE,
    _is_consecutive BOOL NULL,
    _status_code SMALLINT NULL DEFAULT -3,
    _branch_code INTEGER NOT NULL DEFAULT 1 REFERENCES lamindb_branch (id),
    space_id INTEGER NOT NULL DEFAULT 1 REFERENCES lamindb_space (id),
    is_locked BOOL NOT NULL DEFAULT 0,
    _aux TEXT NULL,
    created_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f000+00:00', 'now')),
    created_by_id INTEGER NOT NULL REFERENCES lamindb_user (id) ON DELETE CASCADE
);
CREATE INDEX lamindb_run_transform_idx ON lamindb_run (transform_id, started_at);
CREATE INDEX lamindb_run_started_at_idx ON lamindb_run (started_at);
CREATE INDEX lamindb_run_status_idx ON lamindb_run (_status_code);
CREATE INDEX lamindb_run_created_at_idx ON lamindb_run (created_at);
CREATE INDEX lamindb_run_created_by_idx ON lamindb_run (created_by_id);
CREATE INDEX lamindb_run_report_idx ON lamindb_run (report_id);
CREATE INDEX lamindb_run_environment_idx ON lamindb_run (environment_id);
CREATE INDEX lamindb_run_initiated_by_idx ON lamindb_run (initiated_by_run_id);

CREATE TABLE lamindb_artifact (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid VARCHAR(20) NOT NULL UNIQUE,
    key VARCHAR(1024) NULL,
    _real_key VARCHAR(1024) NULL,
    description TEXT NULL,
    storage_id INTEGER NOT NULL REFERENCES lamindb_storage (id),
    suffix VARCHAR(30) NOT NULL,
    kind VARCHAR(20) NULL,
    otype VARCHAR(64) NULL,
    size BIGINT NULL,
    hash VARCHAR(22) NULL,
    n_files BIGINT NULL,
    n_observations BIGINT NULL,
    _hash_type VARCHAR(30) NULL,
    run_id BIGINT NULL REFERENCES lamindb_run (id),
    schema_id INTEGER NULL,
    _key_is_virtual BOOL NOT NULL,
    _overwrite_versions BOOL NOT NULL,
    version VARCHAR(30) NULL,
    is_latest BOOL NOT NULL DEFAULT 1,
    _branch_code INTEGER NOT NULL DEFAULT 1 REFERENCES lamindb_branch (id),
    space_id INTEGER NOT NULL DEFAULT 1 REFERENCES lamindb_space (id),
    is_locked BOOL NOT NULL DEFAULT 0,
    _aux TEXT NULL,
    created_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f000+00:00', 'now')),
    created_by_id INTEGER NOT NULL REFERENCES lamindb_user (id),
    updated_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f000+00:00', 'now'))
);
CREATE UNIQUE INDEX lamindb_artifact_storage_key_hash_uniq ON lamindb_artifact (storage_id, key, hash) WHERE key IS NOT NULL;
CREATE UNIQUE INDEX lamindb_artifact_storage_hash_uniq ON lamindb_artifact (storage_id, hash) WHERE key IS NULL;
CREATE INDEX lamindb_artifact_key_idx ON lamindb_artifact (key);
CREATE INDEX lamindb_artifact_real_key_idx ON lamindb_artifact (_real_key);
CREATE INDEX lamindb_artifact_description_idx ON lamindb_artifact (description);
CREATE INDEX lamindb_artifact_suffix_idx ON lamindb_artifact (suffix);
CREATE INDEX lamindb_artifact_kind_idx ON lamindb_artifact (kind);
CREATE INDEX lamindb_artifact_otype_idx ON lamindb_artifact (otype);
CREATE INDEX lamindb_artifact_size_idx ON lamindb_artifact (size);
CREATE INDEX lamindb_artifact_hash_idx ON lamindb_artifact (hash);
CREATE INDEX lamindb_artifact_run_idx ON lamindb_artifact (run_id);
CREATE INDEX lamindb_artifact_storage_idx ON lamindb_artifact (storage_id);
CREATE INDEX lamindb_artifact_version_idx ON lamindb_artifact (version);
CREATE INDEX lamindb_artifact_is_latest_idx ON lamindb_artifact (is_latest);
CREATE INDEX lamindb_artifact_created_at_idx ON lamindb_artifact (created_at);
CREATE INDEX lamindb_artifact_created_by_idx ON lamindb_artifact (created_by_id);
CREATE INDEX lamindb_artifact_updated_at_idx ON lamindb_artifact (updated_at);
CREATE INDEX lamindb_artifact_branch_idx ON lamindb_artifact (_branch_code);

CREATE TABLE lamindb_collection (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid VARCHAR(20) NOT NULL UNIQUE,
    key VARCHAR(255) NOT NULL,
    description TEXT NULL,
    hash VARCHAR(22) NULL UNIQUE,
    reference VARCHAR(255) NULL,
    reference_type VARCHAR(25) NULL,
    meta_artifact_id INTEGER NULL UNIQUE REFERENCES lamindb_artifact (id),
    run_id BIGINT NULL REFERENCES lamindb_run (id),
    version VARCHAR(30) NULL,
    is_latest BOOL NOT NULL DEFAULT 1,
    _branch_code INTEGER NOT NULL DEFAULT 1 REFERENCES lamindb_branch (id),
    space_id INTEGER NOT NULL DEFAULT 1 REFERENCES lamindb_space (id),
    is_locked BOOL NOT NULL DEFAULT 0,
    _aux TEXT NULL,
    created_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f000+00:00', 'now')),
    created_by_id INTEGER NOT NULL REFERENCES lamindb_user (id),
    updated_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f000+00:00', 'now'))
);
CREATE INDEX lamindb_collection_key_idx ON lamindb_collection (key);
CREATE INDEX lamindb_collection_run_idx ON lamindb_collection (run_id);
CREATE INDEX lamindb_collection_updated_at_idx ON lamindb_collection (updated_at);

CREATE TABLE lamindb_artifact_input_of_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    artifact_id INTEGER NOT NULL REFERENCES lamindb_artifact (id) ON DELETE CASCADE,
    run_id BIGINT NOT NULL REFERENCES lamindb_run (id) ON DELETE CASCADE,
    UNIQUE (artifact_id, run_id)
);
CREATE INDEX lamindb_artifact_input_of_runs_run_idx ON lamindb_artifact_input_of_runs (run_id, artifact_id);

CREATE TABLE lamindb_artifact__previous_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    artifact_id INTEGER NOT NULL REFERENCES lamindb_artifact (id) ON DELETE CASCADE,
    run_id BIGINT NOT NULL REFERENCES lamindb_run (id) ON DELETE CASCADE,
    UNIQUE (artifact_id, run_id)
);
CREATE INDEX lamindb_artifact__previous_runs_run_idx ON lamindb_artifact__previous_runs (run_id);

CREATE TABLE lamindb_collectionartifact (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    collection_id INTEGER NOT NULL REFERENCES lamindb_collection (id) ON DELETE CASCADE,
    artifact_id INTEGER NOT NULL REFERENCES lamindb_artifact (id),
    created_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f000+00:00', 'now')),
    created_by_id INTEGER NOT NULL REFERENCES lamindb_user (id),
    run_id BIGINT NULL REFERENCES lamindb_run (id),
    UNIQUE (collection_id, artifact_id)
);
CREATE INDEX lamindb_collectionartifact_artifact_idx ON lamindb_collectionartifact (artifact_id);

CREATE TABLE lamindb_collection_input_of_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    collection_id INTEGER NOT NULL REFERENCES lamindb_collection (id) ON DELETE CASCADE,
    run_id BIGINT NOT NULL REFERENCES lamindb_run (id) ON DELETE CASCADE,
    UNIQUE (collection_id, run_id)
);
CREATE INDEX lamindb_collection_input_of_runs_run_idx ON lamindb_collection_input_of_runs (run_id);

CREATE TABLE lamindb_collection__previous_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    collection_id INTEGER NOT NULL REFERENCES lamindb_collection (id) ON DELETE CASCADE,
    run_id BIGINT NOT NULL REFERENCES lamindb_run (id) ON DELETE CASCADE,
    UNIQUE (collection_id, run_id)
);

CREATE TABLE lamindb_transform_predecessors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    from_transform_id INTEGER NOT NULL REFERENCES lamindb_transform (id) ON DELETE CASCADE,
    to_transform_id INTEGER NOT NULL REFERENCES lamindb_transform (id) ON DELETE CASCADE,
    UNIQUE (from_transform_id, to_transform_id)
);

-- Instance identity, one row: what the marker file and settings describe.
CREATE TABLE lamin_instance (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    uid VARCHAR(12) NOT NULL,
    owner VARCHAR(30) NOT NULL,
    name VARCHAR(255) NOT NULL,
    storage_id INTEGER NOT NULL,
    created_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f000+00:00', 'now'))
);
