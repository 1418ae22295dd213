package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/clipcut/clipcut/store"
)

// readiness answers /ready: can this process do its job right now?
type readiness struct {
	store    *store.Store
	mediaDir string
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
	if err := probeWritable(rd.mediaDir); err != nil {
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

// probeWritable creates and removes a file in dir.
func probeWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".ready-*")
	if err != nil {
		return err
	}
	name := f.Name()
	_, werr := f.Write([]byte("ok"))
	cerr := f.Close()
	rerr := os.Remove(name)
	for _, e := range []error{werr, cerr, rerr} {
		if e != nil {
			return e
		}
	}
	return nil
}
