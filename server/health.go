package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/storage"
	"github.com/clipcut/clipcut/store"
)

// readiness answers /ready: can this process do its job right now?
type readiness struct {
	store *store.Store
	media storage.Bucket
	// started is set once start-up work that needs the database (migrations,
	// the job client) has finished.
	started atomic.Bool
}

func handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// ServeHTTP checks the database, the schema version and media storage, and
// answers 200 when all pass and 503 (naming what failed) otherwise.
func (rd *readiness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{
		"database":   "ok",
		"migrations": "ok",
		"storage":    "ok",
		"startup":    "ok",
	}
	ok := true
	fail := func(name, why string) { checks[name], ok = why, false }

	if err := rd.store.Ping(ctx); err != nil {
		fail("database", "unreachable")
		fail("migrations", "unknown")
	} else if v, err := rd.store.SchemaVersion(ctx); err != nil {
		fail("migrations", "not applied")
	} else if want := store.LatestVersion(); v < want {
		fail("migrations", fmt.Sprintf("at version %d of %d", v, want))
	}
	if err := probeWritable(ctx, rd.media); err != nil {
		fail("storage", "not writable")
	}
	if !rd.started.Load() {
		fail("startup", "in progress")
	}
	status, code := "ok", http.StatusOK
	if !ok {
		status, code = "unavailable", http.StatusServiceUnavailable
	}
	writeJSON(w, code, map[string]any{"status": status, "checks": checks})
}

// probeWritable writes and removes a small object in media storage.
func probeWritable(ctx context.Context, b storage.Bucket) error {
	key := ".ready/" + uuid.NewString()
	if err := b.Put(ctx, key, strings.NewReader("ok"), 2, "text/plain"); err != nil {
		return err
	}
	return b.Delete(ctx, key)
}
