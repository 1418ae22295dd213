package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/clipcut/clipcut/bench/instance"
)

// benchTracing is what CLIPCUT_BENCH_TRACING asks of the graphql and
// pipeline rows: "" (the default) runs clipcut with tracing off, as it
// ships; "on" adds tracing: the graphql row measures a second clipcut
// with tracing on beside the one without, on the same database, and
// prints the cost; the pipeline row runs its clipcut with tracing on
// (compare with a run without the variable). Tracing exports every span
// (always_on) over OTLP/HTTP to a receiver in this process that reads and
// discards them, so the figures are clipcut's cost of tracing, not a
// collector's.
func benchTracing() bool {
	return strings.EqualFold(strings.TrimSpace(os.Getenv("CLIPCUT_BENCH_TRACING")), "on")
}

// traceSink is a local OTLP/HTTP endpoint that discards what it gets.
type traceSink struct {
	URL             string
	requests, bytes atomic.Int64
	srv             *http.Server
}

func startTraceSink() (*traceSink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start trace sink: %w", err)
	}
	s := &traceSink{URL: "http://" + ln.Addr().String()}
	s.srv = &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		s.requests.Add(1)
		s.bytes.Add(n)
		w.Header().Set("Content-Type", "application/x-protobuf")
	})}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

func (s *traceSink) stop() { _ = s.srv.Close() }

// env is what turns a clipcut's tracing on, exporting to the sink.
func (s *traceSink) env(service string) []string {
	return []string{"OTEL_EXPORTER_OTLP_ENDPOINT=" + s.URL, "OTEL_SERVICE_NAME=" + service, "OTEL_TRACES_SAMPLER=always_on"}
}

// note says how much the sink received.
func (s *traceSink) note() string {
	return fmt.Sprintf("Tracing on: every span exported (OTEL_TRACES_SAMPLER=always_on) over OTLP/HTTP to a local receiver that discards them; "+
		"it received %d export requests, %.1f MB of protobuf.", s.requests.Load(), float64(s.bytes.Load())/1e6)
}

// startTracedClipcut starts a second `clipcut serve` for the graphql row,
// on the same database as st, with tracing on.
func startTracedClipcut(ctx context.Context, env *Env, st *clipcutStack, sink *traceSink, extraEnv ...string) (*instance.Instance, error) {
	bin, err := env.ClipcutBinary(ctx)
	if err != nil {
		return nil, err
	}
	dataDir, err := instance.TraversableDir(env.Work, "graphql-traced-data-")
	if err != nil {
		return nil, err
	}
	return instance.Start(ctx, instance.Options{
		Binary:  bin,
		DataDir: dataDir,
		Env:     append(append([]string{"DATABASE_URL=" + st.DatabaseURL}, extraEnv...), sink.env("clipcut-bench")...),
		LogPath: filepath.Join(env.Work, "graphql-traced-clipcut.log"),
	})
}

// tracingCost is the graphql row's goal for tracing: with it on, the
// server's CPU per request at most 5% above the same server's without.
func tracingCost(opLabel string, off, on float64, rpsOff, rpsOn float64) Goal {
	r := on / off
	g := ratioGoal(opLabel+": tracing on, server CPU per request ÷ off", r, 1.05, false,
		fmt.Sprintf("%.2f× (%.0f vs %.0f µs; %.0f vs %.0f req/s)", r, on, off, rpsOn, rpsOff))
	g.Target = "≤ 1.05×"
	return g
}
