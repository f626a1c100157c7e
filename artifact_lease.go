package lamin

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/lamin-go/lamin/internal/meta"
)

// SaveLeaseEnv overrides how long an unfinished save's claim on its record
// lasts without a renewal (a Go duration such as "30s"; default 60s). The
// owner renews it four times per period; `lamin check --repair` takes over
// a record whose lease lapsed even when its owner runs on another machine.
const SaveLeaseEnv = "LAMIN_SAVE_LEASE"

const defaultSaveLease = 60 * time.Second

// errSaveLost is the cause with which a save's context is cancelled when
// its record was removed or taken over while it stored the bytes.
var errSaveLost = errors.New("the record was removed or taken over")

// saveLease is how long a claim on an unfinished save lasts unrenewed.
func (in *Instance) saveLease() time.Duration {
	if v := in.opts.getenv(SaveLeaseEnv); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			return d
		}
		in.msg.Warn("%s=%q is not a positive duration such as 30s; using %s", SaveLeaseEnv, v, defaultSaveLease)
	}
	return defaultSaveLease
}

// newOwner describes this process as the owner of an unfinished save.
func (in *Instance) newOwner() meta.SaveOwner {
	var b [12]byte
	_, _ = rand.Read(b[:])
	host, _ := os.Hostname()
	now := time.Now()
	return meta.SaveOwner{Token: hex.EncodeToString(b[:]), Host: host, PID: int64(os.Getpid()),
		StartedAt: now.UnixMilli(), LeaseUntil: now.Add(in.saveLease()).UnixMilli()}
}

// ownerGone decides whether an unfinished save may be taken over: its
// lease lapsed, or its process on this host no longer exists. A process on
// another host is judged by its lease alone.
func ownerGone(o meta.SaveOwner, now time.Time) bool {
	if now.UnixMilli() > o.LeaseUntil {
		return true
	}
	host, _ := os.Hostname()
	return o.Host == host && o.PID > 0 && o.PID != int64(os.Getpid()) && !processAlive(int(o.PID))
}

// describeOwner renders an owner for messages.
func describeOwner(o meta.SaveOwner) string {
	return fmt.Sprintf("process %d on %s since %s", o.PID, o.Host, time.UnixMilli(o.StartedAt).UTC().Format(time.RFC3339))
}

// leaseHolder renews the lease of the records a token owns while their
// bytes are stored.
type leaseHolder struct {
	stop   chan struct{}
	done   chan struct{}
	mu     sync.Mutex
	lost   error
	cancel context.CancelCauseFunc
}

// holdLease renews, every quarter of the lease, the claim of token on its
// n records. When a renewal finds fewer than n (a record was removed or
// taken over) or the lease lapsed without a successful renewal, the
// returned context is cancelled with errSaveLost, which stops the copy.
// The returned function stops the renewals and reports that loss, if any.
func (in *Instance) holdLease(ctx context.Context, token string, n int) (context.Context, func() error) {
	lease := in.saveLease()
	lctx, cancel := context.WithCancelCause(ctx)
	h := &leaseHolder{stop: make(chan struct{}), done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(h.done)
		tick := time.NewTicker(lease / 4)
		defer tick.Stop()
		renewed := time.Now()
		for {
			select {
			case <-h.stop:
				return
			case <-lctx.Done():
				return
			case <-tick.C:
			}
			now := time.Now()
			got, err := meta.RenewSaves(context.WithoutCancel(lctx), in.store, token, now.Add(lease).UnixMilli())
			switch {
			case err == nil && got >= int64(n):
				renewed = now
				continue
			case err == nil:
				h.fail(errSaveLost)
				return
			case now.Sub(renewed) > lease:
				h.fail(fmt.Errorf("%w: the lease of %s could not be renewed: %v", errSaveLost, lease, err))
				return
			}
		}
	}()
	return lctx, func() error {
		close(h.stop)
		<-h.done
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.lost
	}
}

func (h *leaseHolder) fail(err error) {
	h.mu.Lock()
	h.lost = err
	h.mu.Unlock()
	h.cancel(err)
}

// ownsAll reports whether token still owns the records of every artifact
// (on a database error it answers yes: nothing is claimed on a guess).
func (in *Instance) ownsAll(ctx context.Context, arts []*Artifact, token string) bool {
	for _, a := range arts {
		owns, err := meta.OwnsSave(context.WithoutCancel(ctx), in.store, a.ID, token)
		if err == nil && !owns {
			return false
		}
	}
	return true
}

// lostSave says that a save lost its record while storing the bytes.
type lostSave struct {
	uid   string
	cause error
}

func (e *lostSave) Error() string {
	why := ""
	if e.cause != errSaveLost {
		why = fmt.Sprintf(" (%v)", e.cause)
	}
	return fmt.Sprintf("save artifact %s: its unfinished record was removed or taken over (by `lamin check --repair` or another save) while the bytes were being stored%s; this save did not finish: save again", e.uid, why)
}

func (e *lostSave) Unwrap() error { return errSaveLost }

func lostSaveError(a *Artifact, cause error) error {
	if errors.Is(cause, errSaveLost) {
		var ls *lostSave
		if errors.As(cause, &ls) {
			return ls
		}
	}
	return &lostSave{uid: a.UID, cause: cause}
}
