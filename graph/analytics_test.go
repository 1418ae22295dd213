package graph_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/analytics"
	"github.com/clipcut/clipcut/jobs"
	"github.com/clipcut/clipcut/store"
)

// watch plays seconds of video id as a new session of viewer, through an
// ingester of its own, and returns after the events are stored.
func (e *env) watch(id string, viewer uuid.UUID, seconds float64) {
	e.t.Helper()
	ctx := context.Background()
	in := analytics.NewIngester(e.store, slog.New(slog.DiscardHandler), nil, analytics.IngestConfig{})
	events := []analytics.WireEvent{
		{Seq: 0, Type: "play", T: 0},
		{Seq: 1, Type: "first_frame", T: 250, Rendition: "720p"},
		{Seq: 2, Type: "ended", T: 250 + seconds*1000, Pos: seconds, Rendition: "720p"},
	}
	res, err := in.Ingest(ctx, &analytics.Batch{VideoID: id, ViewerID: viewer.String(), SessionID: uuid.NewString(), Events: events}, analytics.Caller{IP: "192.0.2.1"})
	require.NoError(e.t, err)
	require.Equal(e.t, 3, res.Accepted)
	require.NoError(e.t, in.Flush(ctx))
}

// videoOf makes a 10-second video of owner. (Only its duration is set:
// nothing about analytics depends on its processing state.)
func (e *env) videoOf(owner, privacy string) string {
	e.t.Helper()
	ctx := context.Background()
	u, err := e.store.UserByEmail(ctx, owner)
	require.NoError(e.t, err)
	v, err := e.store.CreateVideo(ctx, store.NewVideo{OwnerID: u.ID, Title: "Clip", Privacy: privacy})
	require.NoError(e.t, err)
	_, err = e.store.Pool().Exec(ctx, `UPDATE videos SET duration_seconds = 10 WHERE id = $1`, v.ID)
	require.NoError(e.t, err)
	return v.ID.String()
}

func (e *env) rollUp() {
	e.t.Helper()
	_, err := jobs.RollUpAnalytics(context.Background(), e.store)
	require.NoError(e.t, err)
}

const videoAnalyticsQuery = `query($id: ID!) { videoAnalytics(videoId: $id) {
	interval totals { views uniqueViewers watchTimeSeconds averageViewDurationSeconds startupTimeP50Ms rebufferingRatio }
	series { start views } retention { second share } renditions { rendition seconds share }
	topVideos { video { id viewCount } views } } }`

type analyticsResult struct {
	Interval string
	Totals   struct {
		Views, UniqueViewers                         int
		WatchTimeSeconds, AverageViewDurationSeconds float64
		StartupTimeP50Ms                             *float64
		RebufferingRatio                             float64
	}
	Series []struct {
		Start string
		Views int
	}
	Retention  []struct{ Second, Share float64 }
	Renditions []struct {
		Rendition      string
		Seconds, Share float64
	}
	TopVideos []struct {
		Video struct {
			ID        string
			ViewCount int
		}
		Views int
	}
}

func TestVideoAnalyticsFigures(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.signUp("admin@example.com", "Admin").Token
	owner := e.signUp("owner@example.com", "Owner").Token
	id := e.videoOf("owner@example.com", store.PrivacyPublic)

	alice, bob := uuid.New(), uuid.New()
	e.watch(id, alice, 10)
	e.watch(id, alice, 4)
	e.watch(id, bob, 2) // not a view
	e.rollUp()

	var out struct{ VideoAnalytics analyticsResult }
	e.decode(e.query(videoAnalyticsQuery, map[string]any{"id": id}, bearer(owner)), &out)
	a := out.VideoAnalytics
	require.Equal(t, "DAY", a.Interval, "the default range is 28 days, by day")
	require.Len(t, a.Series, 29, "28 days back from now, rounded out to whole days")
	require.Equal(t, 2, a.Series[len(a.Series)-1].Views, "today's bucket is the last")
	require.Equal(t, 2, a.Totals.Views)
	require.Equal(t, 1, a.Totals.UniqueViewers)
	require.Equal(t, 16.0, a.Totals.WatchTimeSeconds)
	require.Equal(t, 7.0, a.Totals.AverageViewDurationSeconds)
	require.Equal(t, 250.0, *a.Totals.StartupTimeP50Ms)
	require.Zero(t, a.Totals.RebufferingRatio)
	require.Len(t, a.Retention, 10)
	require.Equal(t, 1.0, a.Retention[0].Share)
	require.InDelta(t, 2.0/3, a.Retention[3].Share, 1e-9)
	require.InDelta(t, 1.0/3, a.Retention[9].Share, 1e-9)
	require.Equal(t, []struct {
		Rendition      string
		Seconds, Share float64
	}{{"720p", 16, 1}}, a.Renditions)
	require.Len(t, a.TopVideos, 1)
	require.Equal(t, id, a.TopVideos[0].Video.ID)
	require.Equal(t, 2, a.TopVideos[0].Video.ViewCount)

	// The channel and the instance show the same, to whom may see them.
	var ch struct{ ChannelAnalytics analyticsResult }
	e.decode(e.query(`{ channelAnalytics(range: {interval: HOUR, from: "`+time.Now().Add(-2*time.Hour).Format(time.RFC3339)+`"}) {
		interval totals { views watchTimeSeconds } series { start views } retention { second } } }`, nil, bearer(owner)), &ch)
	require.Equal(t, "HOUR", ch.ChannelAnalytics.Interval)
	require.Equal(t, 2, ch.ChannelAnalytics.Totals.Views)
	require.Len(t, ch.ChannelAnalytics.Series, 3)
	require.Empty(t, ch.ChannelAnalytics.Retention)
	e.decode(e.query(`{ channelAnalytics { totals { views } } }`, nil, bearer(admin)), &ch)
	require.Zero(t, ch.ChannelAnalytics.Totals.Views, "the admin's own channel has no views")
	var inst struct{ InstanceAnalytics analyticsResult }
	e.decode(e.query(`{ instanceAnalytics { totals { views } } }`, nil, bearer(admin)), &inst)
	require.Equal(t, 2, inst.InstanceAnalytics.Totals.Views)

	// viewCount is public.
	var v struct{ Video struct{ ViewCount int } }
	e.decode(e.query(`query($id: ID!) { video(id: $id) { viewCount } }`, map[string]any{"id": id}), &v)
	require.Equal(t, 2, v.Video.ViewCount)
}

func TestAnalyticsAuthorization(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.signUp("admin@example.com", "Admin").Token
	owner := e.signUp("owner@example.com", "Owner").Token
	other := e.signUp("other@example.com", "Other").Token
	public := e.videoOf("owner@example.com", store.PrivacyPublic)
	private := e.videoOf("owner@example.com", store.PrivacyPrivate)
	readOnly := e.createToken(owner, "videos only", []string{"VIDEOS_READ"}, nil)
	analyticsToken := e.createToken(owner, "analytics", []string{"ANALYTICS_READ"}, nil)

	const (
		video    = `query($id: ID!) { videoAnalytics(videoId: $id) { totals { views } } }`
		channel  = `{ channelAnalytics { totals { views } } }`
		instance = `{ instanceAnalytics { totals { views } } }`
		live     = `subscription($id: ID!) { liveViewers(videoId: $id) { count } }`
	)
	for _, tc := range []struct {
		name, query, cred string
		vars              map[string]any
		want              string // "" for allowed
	}{
		{"video: owner", video, owner, map[string]any{"id": public}, ""},
		{"video: owner's analytics token", video, analyticsToken, map[string]any{"id": private}, ""},
		{"video: owner's token without analytics:read", video, readOnly, map[string]any{"id": public}, "FORBIDDEN"},
		{"video: admin", video, admin, map[string]any{"id": private}, ""},
		{"video: another user, public video", video, other, map[string]any{"id": public}, "FORBIDDEN"},
		{"video: another user, private video", video, other, map[string]any{"id": private}, "NOT_FOUND"},
		{"video: anonymous", video, "", map[string]any{"id": public}, "UNAUTHENTICATED"},
		{"video: unknown", video, owner, map[string]any{"id": uuid.NewString()}, "NOT_FOUND"},
		{"channel: owner", channel, owner, nil, ""},
		{"channel: another user", channel, other, nil, ""},
		{"channel: token without analytics:read", channel, readOnly, nil, "FORBIDDEN"},
		{"channel: anonymous", channel, "", nil, "UNAUTHENTICATED"},
		{"instance: admin", instance, admin, nil, ""},
		{"instance: owner", instance, owner, nil, "FORBIDDEN"},
		{"instance: anonymous", instance, "", nil, "UNAUTHENTICATED"},
		{"live: owner", live, owner, map[string]any{"id": public}, ""},
		{"live: admin", live, admin, map[string]any{"id": private}, ""},
		{"live: another user", live, other, map[string]any{"id": public}, "FORBIDDEN"},
		{"live: token without analytics:read", live, readOnly, map[string]any{"id": public}, "FORBIDDEN"},
		{"live: anonymous", live, "", map[string]any{"id": public}, "UNAUTHENTICATED"},
	} {
		var r gqlResponse
		if tc.query == live {
			r = e.subscribeOnce(tc.query, tc.vars, tc.cred)
		} else {
			var opts []reqOpt
			if tc.cred != "" {
				opts = append(opts, bearer(tc.cred))
			}
			r = e.query(tc.query, tc.vars, opts...)
		}
		require.Equal(t, tc.want, r.code(), "%s: %+v", tc.name, r.Errors)
	}
}

func TestReportPlaybackEventsAndRanges(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signUp("owner@example.com", "Owner").Token
	id := e.videoOf("owner@example.com", store.PrivacyPublic)
	const report = `mutation($b: PlaybackEventBatchInput!) { reportPlaybackEvents(batch: $b) { accepted dropped } }`
	batch := func(viewer string) map[string]any {
		return map[string]any{"b": map[string]any{"videoId": id, "viewerId": viewer, "sessionId": uuid.NewString(), "seq": 0,
			"events": []map[string]any{
				{"seq": 0, "type": "PLAY", "t": 0, "position": 0},
				{"seq": 1, "type": "FIRST_FRAME", "t": 300, "position": 0, "rendition": "480p"},
				{"seq": 2, "type": "HEARTBEAT", "t": 10300, "position": 1e9, "buffer": 12.5},
				{"seq": 3, "type": "SEEK", "t": 10400, "position": 3, "from": 10},
			}}}
	}
	var out struct {
		ReportPlaybackEvents struct{ Accepted, Dropped int }
	}
	e.decode(e.query(report, batch(uuid.NewString())), &out)
	require.Equal(t, 4, out.ReportPlaybackEvents.Accepted)

	r := e.query(report, batch("alice"))
	require.Equal(t, "BAD_USER_INPUT", r.code())
	require.Contains(t, r.Errors[0].Message, "viewerId")

	for _, rng := range []string{
		`{from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z"}`,
		`{from: "2025-01-01T00:00:00Z", to: "2026-06-01T00:00:00Z"}`,
		`{from: "2026-01-01T00:00:00Z", to: "2026-03-01T00:00:00Z", interval: HOUR}`,
	} {
		r := e.query(`query($id: ID!) { videoAnalytics(videoId: $id, range: `+rng+`) { from } }`, map[string]any{"id": id}, bearer(owner))
		require.Equal(t, "BAD_USER_INPUT", r.code(), rng)
	}
	var ok struct{ VideoAnalytics struct{ From, To string } }
	e.decode(e.query(`query($id: ID!) { videoAnalytics(videoId: $id, range: {from: "2026-01-01T10:30:00Z", to: "2026-01-02T09:15:00+02:00"}) { from to } }`,
		map[string]any{"id": id}, bearer(owner)), &ok)
	require.Equal(t, "2026-01-01T10:00:00Z", ok.VideoAnalytics.From)
	require.Equal(t, "2026-01-02T08:00:00Z", ok.VideoAnalytics.To)
}

func TestChannelUniqueViewersCountAViewerOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signUp("owner@example.com", "Owner").Token
	first := e.videoOf("owner@example.com", store.PrivacyPublic)
	second := e.videoOf("owner@example.com", store.PrivacyPublic)
	alice, bob := uuid.New(), uuid.New()
	e.watch(first, alice, 5)
	e.watch(second, alice, 5)
	e.watch(second, bob, 5)
	e.rollUp()

	for _, interval := range []string{"HOUR", "DAY"} {
		var out struct {
			ChannelAnalytics struct {
				Totals struct{ Views, UniqueViewers int }
				Series []struct{ Views, UniqueViewers int }
			}
		}
		e.decode(e.query(`query($from: Time!, $interval: AnalyticsInterval!) { channelAnalytics(range: {from: $from, interval: $interval}) {
			totals { views uniqueViewers } series { views uniqueViewers } } }`,
			map[string]any{"from": time.Now().Add(-2 * time.Hour).Format(time.RFC3339), "interval": interval}, bearer(owner)), &out)
		a := out.ChannelAnalytics
		require.Equal(t, 3, a.Totals.Views, interval)
		require.Equal(t, 2, a.Totals.UniqueViewers, "alice watched two videos: one viewer (%s)", interval)
		views, unique := 0, 0
		for _, p := range a.Series {
			views += p.Views
			unique = max(unique, p.UniqueViewers)
		}
		require.Equal(t, 3, views, interval)
		require.Equal(t, 2, unique, interval)
	}
}

// reportPlaybackEvents for a PRIVATE video is dropped unless the caller may
// see it, with the same answer as for an unknown video.
func TestReportPlaybackEventsOfAPrivateVideo(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signUp("owner@example.com", "Owner").Token
	other := e.signUp("other@example.com", "Other").Token
	private := e.videoOf("owner@example.com", store.PrivacyPrivate)
	const report = `mutation($b: PlaybackEventBatchInput!) { reportPlaybackEvents(batch: $b) { accepted dropped } }`
	batch := func(id string) map[string]any {
		return map[string]any{"b": map[string]any{"videoId": id, "viewerId": uuid.NewString(), "sessionId": uuid.NewString(), "seq": 0,
			"events": []map[string]any{
				{"seq": 0, "type": "PLAY", "t": 0, "position": 0},
				{"seq": 1, "type": "FIRST_FRAME", "t": 300, "position": 0, "rendition": "480p"},
			}}}
	}
	for _, tc := range []struct {
		name, id string
		opts     []reqOpt
		want     string
	}{
		{"anonymous", private, nil, `{"accepted":0,"dropped":2}`},
		{"another user", private, []reqOpt{bearer(other)}, `{"accepted":0,"dropped":2}`},
		{"unknown video", uuid.NewString(), nil, `{"accepted":0,"dropped":2}`},
		{"owner", private, []reqOpt{bearer(owner)}, `{"accepted":2,"dropped":0}`},
	} {
		r := e.query(report, batch(tc.id), tc.opts...)
		require.Empty(t, r.Errors, tc.name)
		require.JSONEq(t, `{"reportPlaybackEvents":`+tc.want+`}`, string(r.Data), tc.name)
	}
}
