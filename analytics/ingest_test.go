package analytics_test

import (
	"context"
	"encoding/base64"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/analytics"
	"github.com/clipcut/clipcut/jobs"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// newVideo makes a video of 60 seconds and returns its id.
func newVideo(t *testing.T, s *store.Store) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	u, err := s.CreateUser(ctx, uuid.NewString()+"@example.com", "Owner", "hash")
	require.NoError(t, err)
	v, err := s.CreateVideo(ctx, store.NewVideo{OwnerID: u.ID, Title: "Clip"})
	require.NoError(t, err)
	_, err = s.Pool().Exec(ctx, `UPDATE videos SET duration_seconds = 60 WHERE id = $1`, v.ID)
	require.NoError(t, err)
	return v.ID
}

// wire turns stored-form events back into what a player sends.
func wire(events []analytics.Event) []analytics.WireEvent {
	out := make([]analytics.WireEvent, len(events))
	for i, e := range events {
		out[i] = analytics.WireEvent{Seq: int64(e.Seq), Type: e.Kind.String(), T: float64(e.ClientMs),
			Pos: float64(e.PositionMs) / 1000, Rendition: e.Rendition}
		if e.FromMs != nil {
			f := float64(*e.FromMs) / 1000
			out[i].From = &f
		}
	}
	return out
}

// player sends one session's events in batches of size.
type player struct {
	video, viewer, session uuid.UUID
}

func (p player) batch(seq int64, events []analytics.WireEvent) *analytics.Batch {
	return &analytics.Batch{VideoID: p.video.String(), ViewerID: p.viewer.String(), SessionID: p.session.String(),
		Seq: seq, Events: events}
}

func newIngester(s *store.Store, reg *prometheus.Registry) *analytics.Ingester {
	var r prometheus.Registerer
	if reg != nil {
		r = reg
	}
	return analytics.NewIngester(s, slog.New(slog.DiscardHandler), r, analytics.IngestConfig{})
}

// counter sums a counter's samples with the given label value (any label).
func counter(t *testing.T, reg *prometheus.Registry, name, label string) float64 {
	t.Helper()
	families, err := reg.Gather()
	require.NoError(t, err)
	sum := 0.0
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			match := label == ""
			for _, l := range m.GetLabel() {
				match = match || l.GetValue() == label
			}
			if match {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

func totals(t *testing.T, s *store.Store, video uuid.UUID, p store.Period) analytics.Rollup {
	t.Helper()
	now := time.Now()
	rows, err := s.Rollups(context.Background(), p, store.AnalyticsScope{VideoID: &video}, now.Add(-72*time.Hour), now.Add(72*time.Hour))
	require.NoError(t, err)
	var sum analytics.Rollup
	for _, r := range rows {
		sum.Add(r.Rollup)
	}
	return sum
}

func TestIngestAndRollUpGiveExactAggregates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.NewStore(t)
	video := newVideo(t, s)
	reg := prometheus.NewRegistry()
	in := newIngester(s, reg)
	other := newIngester(s, nil) // a second API replica

	shared := uuid.New() // A and B are the same viewer
	sessions := []struct {
		viewer uuid.UUID
		events []analytics.Event
	}{{shared, sessionA}, {shared, sessionB}, {uuid.New(), sessionC}, {uuid.New(), sessionD}, {uuid.New(), sessionE}, {uuid.New(), sessionF}}
	var b0, b1 *analytics.Batch
	for i, sess := range sessions {
		p := player{video, sess.viewer, uuid.New()}
		w := wire(sess.events)
		half := len(w) / 2
		// The second batch arrives first: order does not matter.
		first, second := p.batch(0, w[:half]), p.batch(1, w[half:])
		res, err := in.Ingest(ctx, second, analytics.Caller{IP: "192.0.2.1"})
		require.NoError(t, err)
		require.Equal(t, analytics.Result{Accepted: len(w) - half}, res)
		if half > 0 {
			_, err = in.Ingest(ctx, first, analytics.Caller{IP: "192.0.2.1"})
			require.NoError(t, err)
		}
		if i == 1 {
			b0, b1 = first, second
		}
	}
	// B's batches sent again: to the same replica (dropped at once) and to
	// another one (stored twice, counted once).
	res, err := in.Ingest(ctx, b1, analytics.Caller{IP: "192.0.2.1"})
	require.NoError(t, err)
	require.Equal(t, analytics.Result{Dropped: len(b1.Events)}, res)
	for _, b := range []*analytics.Batch{b0, b1} {
		_, err = other.Ingest(ctx, b, analytics.Caller{IP: "192.0.2.1"})
		require.NoError(t, err)
	}
	// Events for a video that does not exist are dropped.
	res, err = in.Ingest(ctx, player{uuid.New(), uuid.New(), uuid.New()}.batch(0, wire(sessionA)), analytics.Caller{IP: "192.0.2.1"})
	require.NoError(t, err)
	require.Equal(t, analytics.Result{Dropped: len(sessionA)}, res)

	require.NoError(t, in.Flush(ctx))
	require.NoError(t, other.Flush(ctx))
	n, err := jobs.RollUpAnalytics(ctx, s)
	require.NoError(t, err)
	require.Equal(t, 6, n)

	check := func() {
		for _, p := range []store.Period{store.Hourly, store.Daily} {
			r := totals(t, s, video, p)
			require.EqualValues(t, 6, r.Sessions, p)
			require.EqualValues(t, 2, r.Views, p)
			require.EqualValues(t, 53000, r.WatchMs, p)
			require.EqualValues(t, 49000, r.ViewWatchMs, p)
			require.EqualValues(t, 2000, r.RebufferMs, p)
			require.InDelta(t, 2000.0/55000.0, r.RebufferingRatio(), 1e-12, p)
			require.Equal(t, []int32{200, 500, 1000}, r.StartupMs, p)
			require.EqualValues(t, 1, r.ExitsBeforeStart, p)
			require.EqualValues(t, 1, r.Failures, p)
			require.Equal(t, map[string]int64{"720p": 37000, "480p": 12000}, r.RenditionMs, p)
			require.Len(t, r.Retention, 60)
			require.EqualValues(t, []int32{4, 4, 2, 2}, r.Retention[:4], p)
			require.EqualValues(t, 1, r.Retention[45], p)
			require.EqualValues(t, 0, r.Retention[46], p)
		}
		now := time.Now().UTC().Truncate(24 * time.Hour)
		for _, p := range []store.Period{store.Hourly, store.Daily} {
			unique, err := s.UniqueViewers(ctx, p, store.AnalyticsScope{VideoID: &video}, now.Add(-72*time.Hour), now.Add(72*time.Hour))
			require.NoError(t, err)
			require.EqualValues(t, 1, unique, p)
		}
		v, err := s.VideoByID(ctx, video)
		require.NoError(t, err)
		require.EqualValues(t, 2, v.ViewCount)
	}
	check()

	// Nothing new: nothing to do. Everything marked stale: the same result.
	n, err = jobs.RollUpAnalytics(ctx, s)
	require.NoError(t, err)
	require.Zero(t, n)
	_, err = s.Pool().Exec(ctx, `UPDATE playback_sessions SET rolled_version = 0`)
	require.NoError(t, err)
	n, err = jobs.RollUpAnalytics(ctx, s)
	require.NoError(t, err)
	require.Equal(t, 6, n)
	check()

	require.Equal(t, float64(len(b1.Events)), counter(t, reg, "clipcut_analytics_events_dropped_total", "duplicate"))
	require.Equal(t, float64(len(sessionA)), counter(t, reg, "clipcut_analytics_events_dropped_total", "unknown_video"))

	live, err := s.LiveViewers(ctx, video, time.Minute)
	require.NoError(t, err)
	require.Equal(t, 5, live, "six sessions of five viewers reported just now")
}

func TestIngestClampsAndLimits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.NewStore(t)
	video := newVideo(t, s)
	reg := prometheus.NewRegistry()
	in := analytics.NewIngester(s, slog.New(slog.DiscardHandler), reg, analytics.IngestConfig{IPRate: 100, IPBurst: 1000})

	// An absurd position is clamped to the video's length.
	p := player{video, uuid.New(), uuid.New()}
	res, err := in.Ingest(ctx, p.batch(0, []analytics.WireEvent{
		{Seq: 0, Type: "first_frame", T: 0, Pos: 0},
		{Seq: 1, Type: "heartbeat", T: 10000, Pos: 1e12},
		{Seq: 2, Type: "cartwheel", T: 10001},
	}), analytics.Caller{IP: "192.0.2.1"})
	require.NoError(t, err)
	require.Equal(t, analytics.Result{Accepted: 2, Dropped: 1}, res)
	require.Equal(t, 1.0, counter(t, reg, "clipcut_analytics_events_clamped_total", ""))
	require.Equal(t, 1.0, counter(t, reg, "clipcut_analytics_events_dropped_total", "invalid"))

	// One viewer flooding: its burst passes, then it is refused.
	flood := player{video, uuid.New(), uuid.New()}
	events := make([]analytics.WireEvent, analytics.MaxBatchEvents)
	for i := range events {
		events[i] = analytics.WireEvent{Seq: int64(i), Type: "heartbeat", T: float64(i), Pos: 1}
	}
	limited := 0
	for seq := range int64(5) {
		_, err := in.Ingest(ctx, flood.batch(seq, events), analytics.Caller{IP: "192.0.2.2"})
		if err != nil {
			require.ErrorIs(t, err, analytics.ErrRateLimited)
			limited++
		}
	}
	require.Equal(t, 2, limited, "600 events of burst are 3 batches of 200")
	require.Equal(t, 400.0, counter(t, reg, "clipcut_analytics_events_dropped_total", "rate_limited"))

	// One address flooding with fresh viewer ids: limited by address.
	limited = 0
	for i := range 10 {
		_, err := in.Ingest(ctx, player{video, uuid.New(), uuid.New()}.batch(0, events), analytics.Caller{IP: "192.0.2.3"})
		if err != nil {
			require.ErrorIs(t, err, analytics.ErrRateLimited, i)
			limited++
		}
	}
	require.Equal(t, 5, limited, "1000 events of burst are 5 batches of 200")

	require.NoError(t, in.Flush(ctx))
	_, err = jobs.RollUpAnalytics(ctx, s)
	require.NoError(t, err)
	r := totals(t, s, video, store.Hourly)
	require.EqualValues(t, 20000, r.WatchMs, "the clamped session played 60 s at most, and 2x its 10 s clock")
}

func TestPruneKeepsRollups(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.NewStore(t)
	video := newVideo(t, s)
	in := newIngester(s, nil)
	_, err := in.Ingest(ctx, player{video, uuid.New(), uuid.New()}.batch(0, wire(sessionA)), analytics.Caller{IP: "192.0.2.1"})
	require.NoError(t, err)
	require.NoError(t, in.Flush(ctx))
	_, err = jobs.RollUpAnalytics(ctx, s)
	require.NoError(t, err)

	events, sessions, err := s.PruneAnalytics(ctx, time.Now().Add(-time.Hour), 1000)
	require.NoError(t, err)
	require.Zero(t, events+sessions, "nothing is old yet")
	events, sessions, err = s.PruneAnalytics(ctx, time.Now().Add(time.Minute), 1000)
	require.NoError(t, err)
	require.EqualValues(t, len(sessionA), events)
	require.EqualValues(t, 1, sessions)

	r := totals(t, s, video, store.Daily)
	require.EqualValues(t, 1, r.Views)
	v, err := s.VideoByID(ctx, video)
	require.NoError(t, err)
	require.EqualValues(t, 1, v.ViewCount)
}

// Events of a video the caller cannot see (a PRIVATE one of someone else)
// are dropped, counted as not_visible, and answered like an unknown video's;
// its owner and administrators report as usual.
func TestIngestDropsEventsOfVideosTheCallerCannotSee(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.NewStore(t)
	video := newVideo(t, s)
	v, err := s.VideoByID(ctx, video)
	require.NoError(t, err)
	_, err = s.Pool().Exec(ctx, `UPDATE videos SET privacy = 'PRIVATE' WHERE id = $1`, video)
	require.NoError(t, err)
	stranger, err := s.CreateUser(ctx, "stranger@example.com", "Stranger", "hash")
	require.NoError(t, err)
	reg := prometheus.NewRegistry()
	in := newIngester(s, reg)

	for _, caller := range []analytics.Caller{{IP: "192.0.2.1"}, {IP: "192.0.2.1", UserID: stranger.ID}} {
		res, err := in.Ingest(ctx, player{video, uuid.New(), uuid.New()}.batch(0, wire(sessionA)), caller)
		require.NoError(t, err)
		require.Equal(t, analytics.Result{Dropped: len(sessionA)}, res, "caller %+v", caller)
	}
	require.Equal(t, float64(2*len(sessionA)), counter(t, reg, "clipcut_analytics_events_dropped_total", "not_visible"))
	require.Zero(t, counter(t, reg, "clipcut_analytics_events_accepted_total", ""))

	for _, caller := range []analytics.Caller{{IP: "192.0.2.1", UserID: v.OwnerID}, {IP: "192.0.2.1", UserID: stranger.ID, IsAdmin: true}} {
		res, err := in.Ingest(ctx, player{video, uuid.New(), uuid.New()}.batch(0, wire(sessionA)), caller)
		require.NoError(t, err)
		require.Equal(t, analytics.Result{Accepted: len(sessionA)}, res, "caller %+v", caller)
	}
	require.NoError(t, in.Flush(ctx))
	var stored int
	require.NoError(t, s.Pool().QueryRow(ctx, `SELECT count(*) FROM playback_events`).Scan(&stored))
	require.Equal(t, 2*len(sessionA), stored, "only the owner's and the administrator's events are stored")
}

// TestIngestByPublicID: an UNLISTED video's events are taken from anyone
// who names it by its public id (or by the UUID form of it that GraphQL
// shows them as its id), but by its id only from its owner and
// administrators; once the public id is rotated and the change announced
// (ForgetVideo), the old one is an unknown video, the new one works.
func TestIngestByPublicID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.NewStore(t)
	video := newVideo(t, s)
	_, err := s.Pool().Exec(ctx, `UPDATE videos SET privacy = 'UNLISTED' WHERE id = $1`, video)
	require.NoError(t, err)
	v, err := s.VideoByID(ctx, video)
	require.NoError(t, err)
	stranger := analytics.Caller{IP: "192.0.2.1"}
	owner := analytics.Caller{IP: "192.0.2.1", UserID: v.OwnerID}
	reg := prometheus.NewRegistry()
	in := newIngester(s, reg)
	send := func(ref string, caller analytics.Caller) analytics.Result {
		t.Helper()
		b := player{viewer: uuid.New(), session: uuid.New()}.batch(0, wire(sessionA))
		b.VideoID = ref
		res, err := in.Ingest(ctx, b, caller)
		require.NoError(t, err)
		return res
	}
	all := analytics.Result{Accepted: len(sessionA)}
	none := analytics.Result{Dropped: len(sessionA)}

	raw, err := base64.RawURLEncoding.DecodeString(v.PublicID)
	require.NoError(t, err)
	uuidForm := uuid.UUID(raw).String()
	require.Equal(t, none, send(video.String(), stranger), "the id alone does not open an unlisted video")
	require.Equal(t, float64(len(sessionA)), counter(t, reg, "clipcut_analytics_events_dropped_total", "not_visible"))
	require.Equal(t, all, send(v.PublicID, stranger))
	require.Equal(t, all, send(uuidForm, stranger))
	require.Equal(t, all, send(video.String(), owner))
	require.Equal(t, all, send(v.PublicID, owner))

	rotated, err := s.RotatePublicID(ctx, video, store.Viewer{UserID: v.OwnerID})
	require.NoError(t, err)
	in.ForgetVideo(video)
	require.Equal(t, none, send(v.PublicID, stranger), "the old public id is refused at once")
	require.Equal(t, none, send(uuidForm, stranger), "and its UUID form")
	require.Equal(t, float64(2*len(sessionA)), counter(t, reg, "clipcut_analytics_events_dropped_total", "unknown_video"))
	require.Equal(t, all, send(rotated.PublicID, stranger), "the new one works")

	_, err = s.Pool().Exec(ctx, `UPDATE videos SET privacy = 'PRIVATE' WHERE id = $1`, video)
	require.NoError(t, err)
	in.ForgetVideo(video)
	require.Equal(t, none, send(rotated.PublicID, stranger), "a private video's public id opens nothing")

	require.NoError(t, in.Flush(ctx))
	var sessions int
	require.NoError(t, s.Pool().QueryRow(ctx, `SELECT count(*) FROM playback_sessions WHERE video_id = $1`, video).Scan(&sessions))
	require.Equal(t, 5, sessions, "sessions by public id are stored under the video id")
	var stored int
	require.NoError(t, s.Pool().QueryRow(ctx, `SELECT count(*) FROM playback_events`).Scan(&stored))
	require.Equal(t, 5*len(sessionA), stored)

	_, err = analytics.ParseHeader(&analytics.Batch{VideoID: "not-a-video", ViewerID: uuid.NewString(), SessionID: uuid.NewString(),
		Events: wire(sessionA)})
	require.ErrorIs(t, err, analytics.ErrBadBatch)
}
