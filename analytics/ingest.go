package analytics

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
)

// Sink is where the Ingester writes; store.Store implements it.
type Sink interface {
	// AnalyticsVideos returns what ingest needs to know of each of ids
	// that exists, in one query; unknown ids are absent.
	AnalyticsVideos(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]VideoFacts, error)
	// AnalyticsVideoByPublicID returns the id and facts of the video
	// whose current public id is publicID; ok is false when there is none.
	AnalyticsVideoByPublicID(ctx context.Context, publicID string) (id uuid.UUID, facts VideoFacts, ok bool, err error)
	// WritePlaybackEvents stores events and records the sessions they
	// belong to, in one transaction.
	WritePlaybackEvents(ctx context.Context, events []Event, sessions []SessionTouch) error
}

// VideoFacts is what ingest needs to know of a video: its length, to
// clamp positions, and who may see it, to drop the events of anyone else.
type VideoFacts struct {
	// DurationMs is the video's length in milliseconds (0 when not yet
	// known).
	DurationMs int32
	OwnerID    uuid.UUID
	// Private is set for PRIVATE videos, which only their owner and
	// administrators see; PUBLIC ones anyone may play.
	Private bool
	// Unlisted is set for UNLISTED videos, which anyone may play through
	// their public id, but only their owner and administrators by id.
	Unlisted bool
}

// Caller is who sent a batch: the client address (for its rate limit) and
// the signed-in user, if any (the zero UserID is an anonymous viewer).
type Caller struct {
	IP      string
	UserID  uuid.UUID
	IsAdmin bool
}

// sees reports whether c may see (and so report playback of) v, named by
// its public id when byPublicID. It is the same rule as the store's
// visibility check, applied to cached facts.
func (c Caller) sees(v VideoFacts, byPublicID bool) bool {
	if c.IsAdmin || (c.UserID != uuid.Nil && c.UserID == v.OwnerID) {
		return true
	}
	return !v.Private && (!v.Unlisted || byPublicID)
}

// SessionTouch says a session sent events at At; Heartbeat is set when
// one of them shows the viewer is still there (for "watching now").
type SessionTouch struct {
	SessionID, VideoID, ViewerID uuid.UUID
	At                           time.Time
	Heartbeat                    bool
}

// IngestConfig tunes the Ingester. Zero fields take the defaults.
type IngestConfig struct {
	// FlushInterval is how often buffered events are written (200 ms).
	FlushInterval time.Duration
	// MaxBuffered is the most events held in memory; beyond it batches
	// are refused with ErrOverloaded (200,000).
	MaxBuffered int
	// ViewerRate and ViewerBurst limit the events of one viewer id per
	// second (5/s, bursts of 600).
	ViewerRate, ViewerBurst float64
	// IPRate and IPBurst limit the events from one client address per
	// second; IPRate 0 disables the limit.
	IPRate, IPBurst float64
}

func (c *IngestConfig) defaults() {
	if c.FlushInterval <= 0 {
		c.FlushInterval = 200 * time.Millisecond
	}
	if c.MaxBuffered <= 0 {
		c.MaxBuffered = 200_000
	}
	if c.ViewerRate <= 0 {
		c.ViewerRate = 5
	}
	if c.ViewerBurst <= 0 {
		c.ViewerBurst = 600
	}
	if c.IPRate > 0 && c.IPBurst <= 0 {
		c.IPBurst = c.IPRate * 10
	}
}

// Errors Ingest returns for a batch it refuses as a whole. Duplicates and
// events for unknown videos are not errors: they are dropped and counted.
var (
	// ErrRateLimited: the viewer or address sent more than its share.
	ErrRateLimited = errors.New("too many analytics events; slow down")
	// ErrOverloaded: the buffer is full (the database is slow or down).
	ErrOverloaded = errors.New("analytics ingest is overloaded; retry later")
)

// Result says what became of a batch's events.
type Result struct {
	Accepted int `json:"accepted"`
	Dropped  int `json:"dropped"`
}

// Ingester validates, deduplicates, rate-limits and buffers player events,
// and writes them in bulk every FlushInterval. One per process; Run owns
// its flushing goroutine.
type Ingester struct {
	sink   Sink
	logger *slog.Logger
	cfg    IngestConfig
	now    func() time.Time

	viewers, ips *limiter

	mu       sync.Mutex
	events   []Event
	sessions map[uuid.UUID]SessionTouch
	seen     map[uuid.UUID]*sessionSeen
	kick     chan struct{}

	videoMu sync.Mutex
	videos  map[uuid.UUID]videoEntry
	// byPublicID caches public id lookups; a public id that is no longer
	// the video's (rotatePublicId) must stop working at once, so
	// ForgetVideo drops these too.
	byPublicID map[string]publicIDEntry
	// generation counts ForgetVideo and ForgetAll calls: a lookup that
	// started before one is not cached, since it may predate the change.
	generation uint64

	received, accepted, written, clamped prometheus.Counter
	dropped                              *prometheus.CounterVec
	flushTime                            prometheus.Histogram
}

type videoEntry struct {
	facts   VideoFacts
	exists  bool
	expires time.Time
}

type publicIDEntry struct {
	id uuid.UUID
	videoEntry
}

// sessionSeen remembers which batches of a session arrived, so a re-sent
// batch is dropped before it is stored (sessions are summarised with
// DISTINCT ON (session_id, seq) as well, so a duplicate that reaches another
// replica is harmless too).
type sessionSeen struct {
	batches  map[int64]struct{}
	lastSeen time.Time
}

// NewIngester returns an Ingester writing to sink; its metrics are
// registered on reg when reg is not nil.
func NewIngester(sink Sink, logger *slog.Logger, reg prometheus.Registerer, cfg IngestConfig) *Ingester {
	cfg.defaults()
	in := &Ingester{
		sink: sink, logger: logger, cfg: cfg, now: time.Now,
		viewers:    newLimiter(cfg.ViewerRate, cfg.ViewerBurst),
		sessions:   map[uuid.UUID]SessionTouch{},
		seen:       map[uuid.UUID]*sessionSeen{},
		videos:     map[uuid.UUID]videoEntry{},
		byPublicID: map[string]publicIDEntry{},
		kick:       make(chan struct{}, 1),
		received: prometheus.NewCounter(prometheus.CounterOpts{Name: "clipcut_analytics_events_received_total",
			Help: "Player analytics events received, before validation."}),
		accepted: prometheus.NewCounter(prometheus.CounterOpts{Name: "clipcut_analytics_events_accepted_total",
			Help: "Player analytics events accepted into the write buffer."}),
		written: prometheus.NewCounter(prometheus.CounterOpts{Name: "clipcut_analytics_events_written_total",
			Help: "Player analytics events written to the database."}),
		clamped: prometheus.NewCounter(prometheus.CounterOpts{Name: "clipcut_analytics_events_clamped_total",
			Help: "Accepted analytics events whose position or buffer length was out of range and was clamped."}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clipcut_analytics_events_dropped_total",
			Help: "Player analytics events dropped, by reason: invalid, session_too_long, duplicate, unknown_video, not_visible, rate_limited, overloaded, bad_batch, write_failed."},
			[]string{"reason"}),
		flushTime: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "clipcut_analytics_flush_duration_seconds",
			Help: "Time to write one flush of buffered analytics events.", Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 10)}),
	}
	if cfg.IPRate > 0 {
		in.ips = newLimiter(cfg.IPRate, cfg.IPBurst)
	}
	if reg != nil {
		reg.MustRegister(in.received, in.accepted, in.written, in.clamped, in.dropped, in.flushTime,
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "clipcut_analytics_events_buffered",
				Help: "Analytics events waiting to be written."}, func() float64 {
				in.mu.Lock()
				defer in.mu.Unlock()
				return float64(len(in.events))
			}))
	}
	return in
}

func (in *Ingester) drop(reason Problem, n int) Result {
	if n > 0 {
		in.dropped.WithLabelValues(string(reason)).Add(float64(n))
	}
	return Result{Dropped: n}
}

// Ingest takes one batch from caller. Invalid batches return an error
// wrapping ErrBadBatch; ErrRateLimited and ErrOverloaded refuse the batch;
// otherwise the result counts the events accepted and those dropped
// (duplicates, unknown video, a video the caller cannot see, invalid
// events). A video the caller cannot see answers exactly like an unknown
// one, so the answer does not tell that a private video exists.
func (in *Ingester) Ingest(ctx context.Context, b *Batch, caller Caller) (Result, error) {
	n := len(b.Events)
	in.received.Add(float64(n))
	h, err := ParseHeader(b)
	if err != nil {
		in.drop(ProblemBadBatch, n)
		return Result{Dropped: n}, err
	}
	now := in.now()
	if in.ips != nil && !in.ips.allow(caller.IP, float64(n), now) {
		return in.drop(ProblemLimited, n), ErrRateLimited
	}
	if !in.viewers.allow(h.ViewerID.String(), float64(n), now) {
		return in.drop(ProblemLimited, n), ErrRateLimited
	}
	var (
		facts VideoFacts
		ok    bool
	)
	if h.PublicID != "" {
		h.VideoID, facts, ok, err = in.videoByPublicID(ctx, h.PublicID, now)
	} else {
		facts, ok, err = in.video(ctx, h.VideoID, now)
		if err == nil && !ok {
			// What a stranger reads as an UNLISTED video's id in GraphQL
			// is its public id in UUID form (its 16 bytes).
			h.PublicID = base64.RawURLEncoding.EncodeToString(h.VideoID[:])
			h.VideoID, facts, ok, err = in.videoByPublicID(ctx, h.PublicID, now)
		}
	}
	if err != nil {
		return Result{}, err
	}
	if !ok {
		// An unknown public id, or one a rotation replaced, is an unknown
		// video.
		return in.drop(ProblemUnknown, n), nil
	}
	if !caller.sees(facts, h.PublicID != "") {
		return in.drop(ProblemNotVisible, n), nil
	}
	durationMs := facts.DurationMs

	events := make([]Event, 0, n)
	heartbeat := false
	for _, w := range b.Events {
		ev, problem, ok := Normalize(w, h.SessionID, now, durationMs)
		if !ok {
			in.drop(problem, 1)
			continue
		}
		if problem == ProblemClamped {
			in.clamped.Inc()
		}
		if ev.Kind != KindEnded && ev.Kind != KindError {
			heartbeat = true
		}
		events = append(events, ev)
	}
	res := Result{Accepted: len(events), Dropped: n - len(events)}
	if len(events) == 0 {
		return res, nil
	}

	in.mu.Lock()
	s := in.seen[h.SessionID]
	if s == nil {
		s = &sessionSeen{batches: map[int64]struct{}{}}
		in.seen[h.SessionID] = s
	}
	if _, dup := s.batches[h.Seq]; dup {
		in.mu.Unlock()
		in.drop(ProblemDuplicate, len(events))
		return Result{Dropped: n}, nil
	}
	if len(in.events)+len(events) > in.cfg.MaxBuffered {
		in.mu.Unlock()
		return in.drop(ProblemOverloaded, n), ErrOverloaded
	}
	if len(s.batches) < 4096 {
		s.batches[h.Seq] = struct{}{}
	}
	s.lastSeen = now
	in.events = append(in.events, events...)
	t := in.sessions[h.SessionID]
	in.sessions[h.SessionID] = SessionTouch{SessionID: h.SessionID, VideoID: h.VideoID, ViewerID: h.ViewerID,
		At: now, Heartbeat: t.Heartbeat || heartbeat}
	full := len(in.events) >= in.cfg.MaxBuffered/4
	in.mu.Unlock()
	in.accepted.Add(float64(len(events)))
	if full {
		select {
		case in.kick <- struct{}{}:
		default:
		}
	}
	return res, nil
}

// videoTTL is how long a video's facts are cached. It bounds how long
// a video just made PRIVATE still takes anonymous events when the change
// is not announced (ForgetVideo), as when the notifier is reconnecting
// (one query per video per replica per TTL keeps it cheap).
const videoTTL = 5 * time.Second

// video returns a video's facts, cached for videoTTL: one query per
// batch at most, none for most.
func (in *Ingester) video(ctx context.Context, id uuid.UUID, now time.Time) (VideoFacts, bool, error) {
	in.videoMu.Lock()
	e, ok := in.videos[id]
	gen := in.generation
	in.videoMu.Unlock()
	if ok && now.Before(e.expires) {
		return e.facts, e.exists, nil
	}
	found, err := in.sink.AnalyticsVideos(ctx, []uuid.UUID{id})
	if err != nil {
		return VideoFacts{}, false, err
	}
	d, exists := found[id]
	in.videoMu.Lock()
	if gen == in.generation {
		if len(in.videos) > 50_000 {
			clear(in.videos)
		}
		in.videos[id] = videoEntry{facts: d, exists: exists, expires: now.Add(videoTTL)}
	}
	in.videoMu.Unlock()
	return d, exists, nil
}

// videoByPublicID returns the id and facts of the video whose public id
// is publicID, cached like video's.
func (in *Ingester) videoByPublicID(ctx context.Context, publicID string, now time.Time) (uuid.UUID, VideoFacts, bool, error) {
	in.videoMu.Lock()
	e, ok := in.byPublicID[publicID]
	gen := in.generation
	in.videoMu.Unlock()
	if ok && now.Before(e.expires) {
		return e.id, e.facts, e.exists, nil
	}
	id, d, exists, err := in.sink.AnalyticsVideoByPublicID(ctx, publicID)
	if err != nil {
		return uuid.Nil, VideoFacts{}, false, err
	}
	in.videoMu.Lock()
	if gen == in.generation {
		if len(in.byPublicID) > 50_000 {
			clear(in.byPublicID)
		}
		in.byPublicID[publicID] = publicIDEntry{id: id, videoEntry: videoEntry{facts: d, exists: exists, expires: now.Add(videoTTL)}}
	}
	in.videoMu.Unlock()
	return id, d, exists, nil
}

// ForgetVideo drops what is cached about video id, by id and by public id:
// called when any process changes its privacy or public id or deletes it
// (store.Notifier.SubscribePrivacyChanges), so that the next batch reads
// it again and an old public id is refused at once.
func (in *Ingester) ForgetVideo(id uuid.UUID) {
	in.videoMu.Lock()
	defer in.videoMu.Unlock()
	in.generation++
	delete(in.videos, id)
	for pid, e := range in.byPublicID {
		if e.id == id {
			delete(in.byPublicID, pid)
		}
	}
}

// ForgetAll drops every cached video: when announcements may have been
// missed (the notifier reconnected).
func (in *Ingester) ForgetAll() {
	in.videoMu.Lock()
	defer in.videoMu.Unlock()
	in.generation++
	clear(in.videos)
	clear(in.byPublicID)
}

// Run writes buffered events every FlushInterval (sooner when the buffer
// fills) until ctx ends, then writes what is left.
func (in *Ingester) Run(ctx context.Context) {
	tick := time.NewTicker(in.cfg.FlushInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if err := in.Flush(final); err != nil {
				in.logger.ErrorContext(final, "analytics events lost at shutdown", "error", err)
			}
			return
		case <-tick.C:
		case <-in.kick:
		}
		if err := in.Flush(ctx); err != nil && ctx.Err() == nil {
			in.logger.ErrorContext(ctx, "writing analytics events failed; they are dropped", "error", err)
		}
	}
}

// Flush writes every buffered event now. Events that cannot be written are
// dropped (counted as write_failed): analytics never holds up playback.
func (in *Ingester) Flush(ctx context.Context) error {
	in.mu.Lock()
	events, sessions := in.events, in.sessions
	in.events, in.sessions = nil, map[uuid.UUID]SessionTouch{}
	now := in.now()
	for id, s := range in.seen {
		if now.Sub(s.lastSeen) > 30*time.Minute {
			delete(in.seen, id)
		}
	}
	in.mu.Unlock()
	if len(events) == 0 {
		return nil
	}
	touches := make([]SessionTouch, 0, len(sessions))
	for _, s := range sessions {
		touches = append(touches, s)
	}
	start := time.Now()
	var err error
	for attempt := range 3 {
		if attempt > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
			}
		}
		if err = in.sink.WritePlaybackEvents(ctx, events, touches); err == nil || ctx.Err() != nil {
			break
		}
	}
	in.flushTime.Observe(time.Since(start).Seconds())
	if err != nil {
		in.drop("write_failed", len(events))
		return err
	}
	in.written.Add(float64(len(events)))
	return nil
}

// limiter is a set of token buckets by key.
type limiter struct {
	rate, burst float64
	mu          sync.Mutex
	buckets     map[string]*bucket
	swept       time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(rate, burst float64) *limiter {
	return &limiter{rate: rate, burst: burst, buckets: map[string]*bucket{}}
}

// allow takes n tokens from key's bucket, reporting whether it had them.
func (l *limiter) allow(key string, n float64, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		// A bucket idle long enough to be full again is the same as none.
		full := time.Duration(l.burst / l.rate * float64(time.Second))
		for k, b := range l.buckets {
			if now.Sub(b.at) > full {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens < n {
		return false
	}
	b.tokens -= n
	return true
}
