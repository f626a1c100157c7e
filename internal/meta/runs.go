package meta

import (
	"context"
	"fmt"
	"time"

	"github.com/lamin-go/lamin/record"
)

// Named reads and writes of lamindb_run and the links between runs and
// artifacts.

// RunByID returns the run with id, or ErrNotFound.
func RunByID(ctx context.Context, q Querier, id int64) (*record.Run, error) {
	return runTable.one(ctx, q, "WHERE t.id = ?", id)
}

// RunByUID returns the run with uid u, or ErrNotFound.
func RunByUID(ctx context.Context, q Querier, u string) (*record.Run, error) {
	return runTable.one(ctx, q, "WHERE t.uid = ?", u)
}

// RunUID returns the uid of the run with id.
func RunUID(ctx context.Context, q Querier, id int64) (string, error) {
	var u string
	if err := q.QueryRow(ctx, `SELECT uid FROM lamindb_run WHERE id = ?`, id).Scan(&u); err != nil {
		return "", fmt.Errorf("read uid of run %d: %w", id, err)
	}
	return u, nil
}

// RunsOfTransform returns the runs of a transform, in no particular order.
func RunsOfTransform(ctx context.Context, q Querier, transformID int64) ([]*record.Run, error) {
	return runTable.query(ctx, q, "WHERE t.transform_id = ?", transformID)
}

// RunsWithProcess returns the runs whose status code is one of codes and
// that recorded their process (in _aux), in id order: the runs that may
// still be running.
func RunsWithProcess(ctx context.Context, q Querier, code1, code2 int64) ([]*record.Run, error) {
	return runTable.query(ctx, q, "WHERE t._status_code IN (?, ?) AND t._aux IS NOT NULL ORDER BY t.id", code1, code2)
}

// TrashRun moves a run to the trash (branch -1).
func TrashRun(ctx context.Context, q Querier, id int64) error {
	return setBranch(ctx, q, "lamindb_run", id, branchTrash, false)
}

// RestoreRun puts a run back on the main branch (branch 1).
func RestoreRun(ctx context.Context, q Querier, id int64) error {
	return setBranch(ctx, q, "lamindb_run", id, branchMain, false)
}

// SetRunReport records the artifact holding a run's report.
func SetRunReport(ctx context.Context, q Querier, runID, reportID int64) error {
	if _, err := q.Exec(ctx, `UPDATE lamindb_run SET report_id = ? WHERE id = ?`, reportID, runID); err != nil {
		return fmt.Errorf("set report of run %d: %w", runID, err)
	}
	return nil
}

// ClearRunFiles unlinks a run's report, log and environment, so that the
// run can be deleted before those artifacts are.
func ClearRunFiles(ctx context.Context, q Querier, runID int64) error {
	for _, col := range []string{"report_id", "_logfile_id", "environment_id"} {
		if _, err := q.Exec(ctx, `UPDATE lamindb_run SET `+col+` = NULL WHERE id = ?`, runID); err != nil {
			return fmt.Errorf("clear %s of run %d: %w", col, runID, err)
		}
	}
	return nil
}

// DetachRunFile unlinks an artifact from every run that has it as report,
// environment or log.
func DetachRunFile(ctx context.Context, q Querier, artifactID int64) error {
	for _, col := range []string{"report_id", "environment_id", "_logfile_id"} {
		if _, err := q.Exec(ctx, `UPDATE lamindb_run SET `+col+` = NULL WHERE `+col+` = ?`, artifactID); err != nil {
			return fmt.Errorf("detach artifact %d from runs: %w", artifactID, err)
		}
	}
	return nil
}

// RunsUsingFile counts the runs that have an artifact as report, log or
// environment.
func RunsUsingFile(ctx context.Context, q Querier, artifactID int64) (int, error) {
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM lamindb_run WHERE report_id = ? OR _logfile_id = ? OR environment_id = ?`,
		artifactID, artifactID, artifactID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count runs using artifact %d: %w", artifactID, err)
	}
	return n, nil
}

// RunUsingArtifact returns the uid of one run that has an artifact as
// report, environment or log, or read it; the error wraps sql.ErrNoRows
// when there is none.
func RunUsingArtifact(ctx context.Context, q Querier, artifactID int64) (string, error) {
	var u string
	err := q.QueryRow(ctx, `SELECT r.uid FROM lamindb_run r WHERE r.report_id = ? OR r.environment_id = ? OR r._logfile_id = ?
			UNION ALL SELECT r.uid FROM lamindb_artifact_input_of_runs l JOIN lamindb_run r ON r.id = l.run_id WHERE l.artifact_id = ? LIMIT 1`,
		artifactID, artifactID, artifactID, artifactID).Scan(&u)
	if err != nil {
		return "", fmt.Errorf("find run using artifact %d: %w", artifactID, err)
	}
	return u, nil
}

// RunsReading returns the uids of the runs that read an artifact, in the
// order they were linked.
func RunsReading(ctx context.Context, q Querier, artifactID int64) ([]string, error) {
	return texts(ctx, q, `SELECT r.uid FROM lamindb_artifact_input_of_runs l JOIN lamindb_run r ON r.id = l.run_id WHERE l.artifact_id = ? ORDER BY l.id`, artifactID)
}

// texts runs a query of one text column and returns its values.
func texts(ctx context.Context, q Querier, query string, args ...any) ([]string, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// UnlinkArtifactRuns drops an artifact's links to the runs that read it
// and to the runs that recreated it.
func UnlinkArtifactRuns(ctx context.Context, q Querier, artifactID int64) error {
	if _, err := q.Exec(ctx, `DELETE FROM lamindb_artifact_input_of_runs WHERE artifact_id = ?`, artifactID); err != nil {
		return fmt.Errorf("unlink input artifact %d: %w", artifactID, err)
	}
	if _, err := q.Exec(ctx, `DELETE FROM lamindb_artifact__previous_runs WHERE artifact_id = ?`, artifactID); err != nil {
		return fmt.Errorf("unlink recreating runs of artifact %d: %w", artifactID, err)
	}
	return nil
}

// RunDependent names a kind of record that points at the run that made or
// started it.
type RunDependent int

// Records that depend on a run.
const (
	// ArtifactsMadeByRuns are artifacts whose run_id is the run.
	ArtifactsMadeByRuns RunDependent = iota
	// CollectionsMadeByRuns are collections whose run_id is the run.
	CollectionsMadeByRuns
	// StoragesMadeByRuns are storage locations whose run_id is the run.
	StoragesMadeByRuns
	// RunsStartedByRuns are runs whose initiated_by_run_id is the run.
	RunsStartedByRuns
)

// RunDependents returns the uids of the records of kind dep that point at
// one of the runs, in no particular order.
func RunDependents(ctx context.Context, q Querier, dep RunDependent, runIDs []int64) ([]string, error) {
	var table, col string
	switch dep {
	case ArtifactsMadeByRuns:
		table, col = "lamindb_artifact", "run_id"
	case CollectionsMadeByRuns:
		table, col = "lamindb_collection", "run_id"
	case StoragesMadeByRuns:
		table, col = "lamindb_storage", "run_id"
	case RunsStartedByRuns:
		table, col = "lamindb_run", "initiated_by_run_id"
	default:
		return nil, fmt.Errorf("unknown run dependent %d", dep)
	}
	args := make([]any, len(runIDs))
	for i, id := range runIDs {
		args[i] = id
	}
	return texts(ctx, q, `SELECT uid FROM `+table+` WHERE `+col+` IN (`+marks(len(runIDs))+`)`, args...)
}

// RunOverview is one run of a transform as its card lists it.
type RunOverview struct {
	UID        string
	StartedAt  time.Time
	FinishedAt *time.Time
	StatusCode *int64
	// CreatedBy is the handle of the user who started the run.
	CreatedBy string
	// Inputs and Outputs count the artifacts the run read and wrote
	// (outputs on the main and archive branches).
	Inputs, Outputs int
}

// RunOverviews lists the runs of a transform, newest first, with their
// users and the number of artifacts each read and wrote.
func RunOverviews(ctx context.Context, q Querier, transformID int64) ([]RunOverview, error) {
	rows, err := q.Query(ctx, `SELECT r.uid, r.started_at, r.finished_at, r._status_code, u.handle,
		(SELECT COUNT(*) FROM lamindb_artifact_input_of_runs l WHERE l.run_id = r.id),
		(SELECT COUNT(*) FROM lamindb_artifact a WHERE a.run_id = r.id AND a._branch_code IN (0, 1))
		FROM lamindb_run r JOIN lamindb_user u ON u.id = r.created_by_id
		WHERE r.transform_id = ? ORDER BY r.started_at DESC, r.id DESC`, transformID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RunOverview
	for rows.Next() {
		var o RunOverview
		if err := rows.Scan(&o.UID, &o.StartedAt, &o.FinishedAt, &o.StatusCode, &o.CreatedBy, &o.Inputs, &o.Outputs); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
