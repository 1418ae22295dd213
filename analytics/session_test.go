package analytics_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/analytics"
)

// ev builds a stored event: t in ms, pos in seconds.
func ev(seq int32, kind analytics.Kind, t int32, pos float64, opts ...func(*analytics.Event)) analytics.Event {
	e := analytics.Event{Seq: seq, Kind: kind, ClientMs: t, PositionMs: int32(pos * 1000)}
	for _, o := range opts {
		o(&e)
	}
	return e
}

func rend(name string) func(*analytics.Event) { return func(e *analytics.Event) { e.Rendition = name } }

func from(pos float64) func(*analytics.Event) {
	return func(e *analytics.Event) { ms := int32(pos * 1000); e.FromMs = &ms }
}

func ms(v int32) *int32 { return &v }

// The simulated sessions, with what each must summarise to.
var (
	// A watches 30 s cleanly at 720p after a 500 ms startup.
	sessionA = []analytics.Event{
		ev(0, analytics.KindLoad, 0, 0),
		ev(1, analytics.KindPlay, 0, 0),
		ev(2, analytics.KindFirstFrame, 500, 0, rend("720p")),
		ev(3, analytics.KindHeartbeat, 10500, 10, rend("720p")),
		ev(4, analytics.KindHeartbeat, 20500, 20, rend("720p")),
		ev(5, analytics.KindEnded, 30500, 30, rend("720p")),
	}
	wantA = analytics.Session{Attempted: true, Started: true, WatchMs: 30000, StartupMs: ms(500),
		RenditionMs: map[string]int64{"720p": 30000}, Watched: []int32{0, 30}}

	// B starts at 480p, stalls 2 s, switches to 720p, seeks from 13 s to
	// 40 s, and pauses at 46 s.
	sessionB = []analytics.Event{
		ev(0, analytics.KindPlay, 0, 0),
		ev(1, analytics.KindFirstFrame, 1000, 0, rend("480p")),
		ev(2, analytics.KindHeartbeat, 11000, 10, rend("480p")),
		ev(3, analytics.KindStallStart, 12000, 11),
		ev(4, analytics.KindStallEnd, 14000, 11),
		ev(5, analytics.KindRenditionSwitch, 15000, 12, rend("720p")),
		ev(6, analytics.KindSeek, 16000, 40, from(13)),
		ev(7, analytics.KindHeartbeat, 21000, 45, rend("720p")),
		ev(8, analytics.KindPause, 22000, 46),
		ev(9, analytics.KindHeartbeat, 32000, 46, rend("720p")),
	}
	wantB = analytics.Session{Attempted: true, Started: true, WatchMs: 19000, RebufferMs: 2000, StartupMs: ms(1000),
		RenditionMs: map[string]int64{"480p": 12000, "720p": 7000}, Watched: []int32{0, 13, 40, 46}}

	// C asks to play and leaves before the first frame.
	sessionC = []analytics.Event{ev(0, analytics.KindLoad, 0, 0), ev(1, analytics.KindPlay, 100, 0)}
	wantC    = analytics.Session{Attempted: true, ExitedBeforeStart: true, RenditionMs: map[string]int64{}, Watched: []int32{}}

	// D fails.
	sessionD = []analytics.Event{ev(0, analytics.KindPlay, 0, 0), ev(1, analytics.KindError, 3000, 0)}
	wantD    = analytics.Session{Attempted: true, Failed: true, RenditionMs: map[string]int64{}, Watched: []int32{}}

	// E plays 2 s: not a view.
	sessionE = []analytics.Event{
		ev(0, analytics.KindPlay, 0, 0),
		ev(1, analytics.KindFirstFrame, 200, 0),
		ev(2, analytics.KindPause, 2200, 2),
	}
	wantE = analytics.Session{Attempted: true, Started: true, WatchMs: 2000, StartupMs: ms(200),
		RenditionMs: map[string]int64{}, Watched: []int32{0, 2}}

	// F claims 50 s played in one second without a seek: clamped to 2 s.
	sessionF = []analytics.Event{
		ev(0, analytics.KindFirstFrame, 0, 0),
		ev(1, analytics.KindHeartbeat, 1000, 50),
	}
	wantF = analytics.Session{Attempted: true, Started: true, WatchMs: 2000,
		RenditionMs: map[string]int64{}, Watched: []int32{0, 2}}
)

func TestSummarizeKnownSessions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		events []analytics.Event
		want   analytics.Session
		view   bool
	}{
		{"clean 30 s", sessionA, wantA, true},
		{"stall, switch, seek, pause", sessionB, wantB, true},
		{"exit before start", sessionC, wantC, false},
		{"failure", sessionD, wantD, false},
		{"2 s is not a view", sessionE, wantE, false},
		{"position jump clamped", sessionF, wantF, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := analytics.Summarize(tc.events)
			require.Equal(t, tc.want, got)
			require.Equal(t, tc.view, analytics.IsView(got))
		})
	}
}

func TestSummarizeIgnoresOrderAndDuplicates(t *testing.T) {
	t.Parallel()
	events := append(append([]analytics.Event{}, sessionB...), sessionB[2:7]...) // a batch sent twice
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
	require.Equal(t, wantB, analytics.Summarize(events))
}

func TestRollUpKnownSessions(t *testing.T) {
	t.Parallel()
	rows := []analytics.SessionRow{
		{ViewerID: "v1", Session: wantA}, {ViewerID: "v1", Session: wantB}, {ViewerID: "v2", Session: wantC},
		{ViewerID: "v3", Session: wantD}, {ViewerID: "v4", Session: wantE}, {ViewerID: "v5", Session: wantF},
	}
	r, viewers := analytics.RollUp(rows, analytics.BucketSeconds(60_000), analytics.RetentionBuckets(60_000))
	require.Equal(t, []string{"v1"}, viewers)
	require.EqualValues(t, 6, r.Sessions)
	require.EqualValues(t, 6, r.Attempts)
	require.EqualValues(t, 4, r.Started)
	require.EqualValues(t, 2, r.Views)
	require.EqualValues(t, 1, r.UniqueViewers)
	require.EqualValues(t, 53000, r.WatchMs)
	require.EqualValues(t, 49000, r.ViewWatchMs)
	require.Equal(t, 24500.0, r.AverageViewDurationMs())
	require.EqualValues(t, 2000, r.RebufferMs)
	require.InDelta(t, 2000.0/55000.0, r.RebufferingRatio(), 1e-12)
	require.Equal(t, []int32{200, 500, 1000}, r.StartupMs)
	require.InDelta(t, 1700.0/3, r.StartupMeanMs(), 1e-9)
	require.Equal(t, 500.0, r.StartupPercentileMs(50))
	require.Equal(t, 1000.0, r.StartupPercentileMs(95))
	require.EqualValues(t, 1, r.ExitsBeforeStart)
	require.EqualValues(t, 1, r.Failures)
	require.Equal(t, map[string]int64{"720p": 37000, "480p": 12000}, r.RenditionMs)
	require.Len(t, r.Retention, 60)
	want := make([]int32, 60)
	for s := range 60 {
		switch {
		case s < 2:
			want[s] = 4 // A, B, E, F
		case s < 13:
			want[s] = 2 // A, B
		case s < 30:
			want[s] = 1 // A
		case s >= 40 && s < 46:
			want[s] = 1 // B after its seek
		}
	}
	require.Equal(t, want, r.Retention)
	require.Equal(t, 1.0, r.RetentionShare()[0])
	require.Equal(t, 0.5, r.RetentionShare()[12])

	// Two halves added together equal the whole (but unique viewers,
	// which callers count separately).
	a, _ := analytics.RollUp(rows[:3], 1, 60)
	b, _ := analytics.RollUp(rows[3:], 1, 60)
	a.Add(b)
	a.UniqueViewers = r.UniqueViewers
	require.Equal(t, r, a)
}

func TestRetentionBucketsOfLongVideos(t *testing.T) {
	t.Parallel()
	require.EqualValues(t, 1, analytics.BucketSeconds(3600_000))
	require.Equal(t, 3600, analytics.RetentionBuckets(3600_000))
	require.EqualValues(t, 2, analytics.BucketSeconds(3601_000))
	require.Equal(t, 1801, analytics.RetentionBuckets(3601_000))
	require.Equal(t, 1, analytics.RetentionBuckets(0))
}

func TestNormalizeBadInput(t *testing.T) {
	t.Parallel()
	sid := uuid.New()
	now := time.Now()
	nan := func() float64 { var z float64; return z / z }()
	for _, tc := range []struct {
		name    string
		in      analytics.WireEvent
		ok      bool
		problem analytics.Problem
		pos     int32
	}{
		{"fine", analytics.WireEvent{Type: "heartbeat", T: 1000, Pos: 12.5}, true, "", 12500},
		{"past the end is clamped", analytics.WireEvent{Type: "heartbeat", T: 1000, Pos: 1e9}, true, analytics.ProblemClamped, 60000},
		{"negative is clamped", analytics.WireEvent{Type: "heartbeat", T: 1000, Pos: -5}, true, analytics.ProblemClamped, 0},
		{"unknown type", analytics.WireEvent{Type: "dance", T: 1}, false, analytics.ProblemInvalid, 0},
		{"NaN", analytics.WireEvent{Type: "seek", T: 1, Pos: nan}, false, analytics.ProblemInvalid, 0},
		{"negative time", analytics.WireEvent{Type: "play", T: -1}, false, analytics.ProblemInvalid, 0},
		{"seven hours in", analytics.WireEvent{Type: "play", T: 7 * 3600 * 1000}, false, analytics.ProblemTooLate, 0},
		{"odd rendition", analytics.WireEvent{Type: "heartbeat", T: 1, Rendition: "<script>"}, false, analytics.ProblemInvalid, 0},
	} {
		got, problem, ok := analytics.Normalize(tc.in, sid, now, 60_000)
		require.Equal(t, tc.ok, ok, tc.name)
		require.Equal(t, tc.problem, problem, tc.name)
		if ok {
			require.Equal(t, tc.pos, got.PositionMs, tc.name)
			require.Equal(t, now, got.ReceivedAt, tc.name)
		}
	}
}

func TestParseHeaderWantsRandomIDs(t *testing.T) {
	t.Parallel()
	ok := analytics.Batch{VideoID: uuid.NewString(), ViewerID: uuid.NewString(), SessionID: uuid.NewString(),
		Events: []analytics.WireEvent{{Type: "load"}}}
	_, err := analytics.ParseHeader(&ok)
	require.NoError(t, err)
	for name, mutate := range map[string]func(*analytics.Batch){
		"viewer not a uuid":  func(b *analytics.Batch) { b.ViewerID = "alice@example.com" },
		"viewer not random":  func(b *analytics.Batch) { b.ViewerID = uuid.NewSHA1(uuid.NameSpaceURL, []byte("x")).String() },
		"session missing":    func(b *analytics.Batch) { b.SessionID = "" },
		"video not an id":    func(b *analytics.Batch) { b.VideoID = "42" },
		"no events":          func(b *analytics.Batch) { b.Events = nil },
		"too many events":    func(b *analytics.Batch) { b.Events = make([]analytics.WireEvent, analytics.MaxBatchEvents+1) },
		"negative batch seq": func(b *analytics.Batch) { b.Seq = -1 },
	} {
		b := ok
		mutate(&b)
		_, err := analytics.ParseHeader(&b)
		require.ErrorIs(t, err, analytics.ErrBadBatch, name)
	}
}
