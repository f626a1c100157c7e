package cli

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"

	"github.com/rogpeppe/go-internal/testscript"
)

// damagepage ROOT NAME OLD NEW: overwrites the bytes OLD with NEW (same
// length) in the root page of the table or index NAME in
// ROOT/.lamindb/lamin.db, as a bad disk or a stray write would.
// damagepage ROOT NAME header garbles the page header instead.
func cmdDamagePage(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 && !(len(args) == 3 && args[2] == "header") {
		ts.Fatalf("usage: damagepage ROOT NAME OLD NEW | damagepage ROOT NAME header")
	}
	p := filepath.Join(ts.MkAbs(args[0]), ".lamindb", "lamin.db")
	db, err := sql.Open("sqlite", "file:"+p)
	ts.Check(err)
	ctx := context.Background()
	var pageSize, root int64
	_, err = db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	ts.Check(err)
	ts.Check(db.QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize))
	ts.Check(db.QueryRowContext(ctx, "SELECT rootpage FROM sqlite_master WHERE type IN ('table', 'index') AND name = ?", args[1]).Scan(&root))
	ts.Check(db.Close())
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	ts.Check(err)
	defer f.Close()
	page := make([]byte, pageSize)
	off := (root - 1) * pageSize
	_, err = f.ReadAt(page, off)
	ts.Check(err)
	if len(args) == 3 {
		// a b-tree page starts with its type (2, 5, 10 or 13); 7 is none.
		copy(page, []byte{0x07, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	} else {
		if len(args[2]) != len(args[3]) || !bytes.Contains(page, []byte(args[2])) {
			ts.Fatalf("page %d of %s holds no %q (or the replacement differs in length)", root, args[1], args[2])
		}
		page = bytes.ReplaceAll(page, []byte(args[2]), []byte(args[3]))
	}
	_, err = f.WriteAt(page, off)
	ts.Check(err)
}
