package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"riverqueue.com/riverui"

	"github.com/clipcut/clipcut/auth"
)

// AdminJobsPath is where River UI, the job queue's own browser (queues,
// running, retryable and discarded jobs with their errors; retry, cancel,
// delete), is mounted for administrators.
const AdminJobsPath = "/admin/jobs"

// newRiverUI builds River UI over this process's job client. It works with
// the insert-only client of an api process too: listing, retrying and
// cancelling jobs are database operations any client can do.
func (a *app) newRiverUI() error {
	h, err := riverui.NewHandler(&riverui.HandlerOpts{
		Endpoints: riverui.NewEndpoints(a.jobs, nil),
		// Its count caches poll the database: an outage goes to the
		// one WARN, like River's own errors.
		Logger: riverLogger(a.logger, a.cfg.LogLevel, a.dbHealth, "riverui"),
		Prefix: AdminJobsPath,
		// Job arguments hold video ids and URLs an administrator may
		// see anyway; hiding them would only cost a click.
		JobListHideArgsByDefault: false,
	})
	if err != nil {
		return fmt.Errorf("river ui: %w", err)
	}
	a.riverUI = h
	return nil
}

// runRiverUI runs River UI's count caches until ctx ends. River UI answers
// without them (it counts on demand), so a failure to start is logged,
// not fatal.
func (a *app) runRiverUI(ctx context.Context) {
	if err := a.riverUI.Start(ctx); err != nil {
		a.logger.WarnContext(ctx, "river ui caches did not start", "error", err)
		return
	}
	<-ctx.Done()
}

// requireAdmin lets only administrators through, checked on every request
// (River UI's page, assets and JSON API alike), so nothing behind it is
// reachable by a bookmark or a direct API call. Anonymous browsers asking
// for a page are sent to log in; every other anonymous request gets 401,
// signed-in non-administrators (and administrators' API tokens without the
// admin scope) 403.
func requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := auth.ViewerFrom(r.Context())
		if err == nil {
			err = v.CheckAdmin()
		}
		if err == nil {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		status := http.StatusForbidden
		if errors.Is(err, auth.ErrUnauthenticated) {
			status = http.StatusUnauthorized
			if wantsPage(r) {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
		}
		msg := "Only administrators can do this."
		if errors.Is(err, auth.ErrUnauthenticated) {
			msg = err.Error()
		} else if ae := (*auth.Error)(nil); errors.As(err, &ae) {
			msg = ae.Message
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
	})
}

// wantsPage reports whether r is a browser navigating to a page (not an
// API call or an asset), which is better answered with the login page than
// with a bare 401.
func wantsPage(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
		!strings.HasPrefix(r.URL.Path, AdminJobsPath+"/api") &&
		strings.Contains(r.Header.Get("Accept"), "text/html")
}
