-- Runs by status and start time: `lamin check` looks for runs left started,
-- and listings of running jobs order them by start.
CREATE INDEX lamindb_run_status_started_idx ON lamindb_run (_status_code, started_at);
