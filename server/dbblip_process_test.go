package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/pgcluster"
)

// TestTranscodeSurvivesADatabaseBlip stops PostgreSQL for 15 seconds in
// the middle of a transcode, as a database restart or failover does. The
// encode goes on: the video ends READY, its transcode job ran once
// (attempt 1: nothing was redone), and the outage left a handful of log
// lines (one WARN when the database went, one INFO when it came back),
// not one per failed query.
func TestTranscodeSurvivesADatabaseBlip(t *testing.T) {
	if testing.Short() {
		t.Skip("database blip test: a 20 s encode with PostgreSQL stopped for 15 s")
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	pgOpts := pgcluster.Options{Dir: filepath.Join(traversableTempDir(t), "pg"), Ephemeral: true}
	cluster, err := pgcluster.Start(ctx, pgOpts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = cluster.Stop(context.Background()) })

	p := startClipcut(t, traversableTempDir(t), "DATABASE_URL="+cluster.URL(),
		"CLIPCUT_MEDIA_WORKERS=1", "CLIPCUT_TRANSCRIBER=none")
	p.waitReady(t)

	clip := makeClipOf(t, "testsrc2=size=1280x720:rate=25:duration=20", 20)
	res, _ := p.graphql(t, `mutation { signUp(input: {email: "ada@example.com", password: "correct horse", name: "Ada"}) { token } }`)
	token := res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	id, uploadURL := createUpload(t, p, token, "Blip", len(clip))
	finishUpload(t, p, strings.TrimPrefix(uploadURL, "http://"+p.addr), clip)

	// Wait until the encode runs and the video is playable, then stop
	// the database under it.
	var ffmpeg int
	require.Eventually(t, func() bool {
		ffmpeg = childNamed(p.cmd.Process.Pid, "ffmpeg")
		return ffmpeg != 0 && videoPlayable(ctx, t, cluster.URL(), id)
	}, 2*time.Minute, 100*time.Millisecond, "the transcode starts and the video becomes playable\n%s", p.log())
	logBefore := len(p.log())
	require.NoError(t, cluster.Stop(ctx))
	stopped := time.Now()
	time.Sleep(15 * time.Second)
	// Either the encode outlasted the outage (its progress writes were
	// dropped), or it ended meanwhile and its last transaction waited
	// for the database: neither may cost a second attempt.
	outlasted := childNamed(p.cmd.Process.Pid, "ffmpeg") == ffmpeg
	cluster, err = pgcluster.Start(ctx, pgOpts)
	require.NoError(t, err)
	t.Logf("PostgreSQL was down for %s; the encode outlasted it: %v", time.Since(stopped).Round(100*time.Millisecond), outlasted)

	waitStatus(t, p, token, id, "READY")

	conn, err := pgx.Connect(ctx, cluster.URL())
	require.NoError(t, err)
	defer conn.Close(ctx)
	var attempt int
	require.NoError(t, conn.QueryRow(ctx,
		`SELECT attempt FROM river_job WHERE kind = 'transcode' AND args->>'video_id' = $1`, id).Scan(&attempt))
	require.Equal(t, 1, attempt, "the transcode ran once: the outage did not restart it\n%s", p.log())

	// The log of the outage: clipcut's own WARN and ERROR lines, and
	// River's (component=river), counted apart.
	outage := p.log()[logBefore:]
	level := regexp.MustCompile(`level=(WARN|ERROR)`)
	var own, river []string
	for line := range strings.Lines(outage) {
		if !level.MatchString(line) {
			continue
		}
		if strings.Contains(line, "component=river") {
			river = append(river, line)
		} else {
			own = append(own, line)
		}
	}
	t.Logf("outage log: %d WARN/ERROR lines from clipcut, %d from River\n%s", len(own), len(river), outage)
	require.LessOrEqual(t, len(own), 5, "clipcut's components say the database went once each, not per query:\n%s", outage)
	require.LessOrEqual(t, len(own)+len(river), 5, "River's connection errors go to the one WARN:\n%s", outage)
	require.Equal(t, 1, strings.Count(outage, "lost the database connection"), "one WARN says the database went")
	require.Equal(t, 1, strings.Count(outage, "database connection is back"), "one INFO says it is back")
	p.stop(t)
}

// videoPlayable asks the database whether the video is playable yet.
func videoPlayable(ctx context.Context, t *testing.T, dbURL, id string) bool {
	t.Helper()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var playable bool
	require.NoError(t, conn.QueryRow(ctx, `SELECT playable FROM videos WHERE id = $1`, id).Scan(&playable))
	return playable
}

// TestRiverLoggerTurnsOutageErrorsIntoOneWarn feeds River's logger what
// River's services log while PostgreSQL is away: its connection errors
// become the process's one WARN, and another message repeated every poll
// is passed once a minute.
func TestRiverLoggerTurnsOutageErrorsIntoOneWarn(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	health := store.NewHealth(logger)
	river := riverLogger(logger, "info", health, "river")
	for range 10 {
		river.Error("producer: Error fetching jobs", "err", "failed to connect to `user=clipcut database=clipcut`: dial error: connection refused")
		river.Error("notifier.Notifier: Error from notification wait", "err", "FATAL: terminating connection due to administrator command (SQLSTATE 57P01)")
		river.Warn("leadership.Elector: Current leader stepping down because the reelection deadline elapsed")
		river.Info("producer: periodic stats")
	}
	river.Error("worker: job failed", "err", "ERROR: relation \"x\" does not exist (SQLSTATE 42P01)")
	health.OK(context.Background())
	out := buf.String()
	require.Equal(t, 1, strings.Count(out, "lost the database connection"), out)
	require.Equal(t, 1, strings.Count(out, "stepping down"), out)
	require.Equal(t, 1, strings.Count(out, "job failed"), "other errors pass:\n%s", out)
	require.Equal(t, 1, strings.Count(out, "database connection is back"), out)
	require.Equal(t, 4, strings.Count(out, "\n"), out)
}
