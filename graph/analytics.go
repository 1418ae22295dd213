package graph

import (
	"context"
	"errors"
	"math"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/analytics"
	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/graph/model"
	"github.com/clipcut/clipcut/store"
)

// Analytics ranges: the default span, the longest range, and the longest
// an hourly series may be.
const (
	defaultAnalyticsSpan = 28 * 24 * time.Hour
	maxAnalyticsSpan     = 400 * 24 * time.Hour
	maxHourlySpan        = 31 * 24 * time.Hour
	autoHourlySpan       = 3 * 24 * time.Hour
	topVideos            = 10
	// liveWindow: a viewer is watching now when their player reported
	// within it (heartbeats come every 10 s).
	liveWindow = 30 * time.Second
	// livePoll is how often a liveViewers subscription re-counts.
	livePoll = 5 * time.Second
)

// analyticsWindow is a validated, rounded range.
type analyticsWindow struct {
	from, to time.Time
	interval model.AnalyticsInterval
	step     time.Duration
}

func parseAnalyticsRange(r *model.AnalyticsRange, now time.Time) (analyticsWindow, error) {
	var in model.AnalyticsRange
	if r != nil {
		in = *r
	}
	to := now
	if in.To != nil {
		to = *in.To
	}
	from := to.Add(-defaultAnalyticsSpan)
	if in.From != nil {
		from = *in.From
	}
	if !from.Before(to) {
		return analyticsWindow{}, badInput("range", "range.from must be before range.to.")
	}
	if to.Sub(from) > maxAnalyticsSpan {
		return analyticsWindow{}, badInput("range", "A range may span at most 400 days.")
	}
	w := analyticsWindow{interval: model.AnalyticsIntervalHour, step: time.Hour}
	if in.Interval != nil {
		w.interval = *in.Interval
	} else if to.Sub(from) > autoHourlySpan {
		w.interval = model.AnalyticsIntervalDay
	}
	if w.interval == model.AnalyticsIntervalDay {
		w.step = 24 * time.Hour
	}
	w.from = from.UTC().Truncate(w.step)
	w.to = to.UTC().Truncate(w.step)
	if w.to.Before(to) {
		w.to = w.to.Add(w.step)
	}
	if w.interval == model.AnalyticsIntervalHour && w.to.Sub(w.from) > maxHourlySpan {
		return analyticsWindow{}, badInput("range", "An hourly series may span at most 31 days; use interval DAY.")
	}
	return w, nil
}

// buildAnalytics reads the rollups of a scope and shapes them for the API.
// video is the scope's one video (nil for a channel or the instance): its
// length sizes the retention curve, which is left empty otherwise. Every
// figure comes from the hourly or daily rollup tables and their viewer
// sets, never from raw events.
func (r *Resolver) buildAnalytics(ctx context.Context, sc store.AnalyticsScope, w analyticsWindow, viewer store.Viewer, video *store.Video) (*model.Analytics, error) {
	period := store.Hourly
	if w.interval == model.AnalyticsIntervalDay {
		period = store.Daily
	}
	data, err := r.Store.Dashboard(ctx, period, sc, w.from, w.to)
	if err != nil {
		return nil, err
	}
	var total analytics.Rollup
	buckets := map[time.Time]*analytics.Rollup{}
	perVideo := map[uuid.UUID]*videoTotals{}
	// Videos with views per bucket: where one video has them all, its row's
	// unique viewers are the bucket's.
	viewed := map[time.Time]int{}
	shared := false
	for _, row := range data.Rows {
		total.Add(row.Rollup)
		start := row.Start.UTC()
		if buckets[start] == nil {
			buckets[start] = &analytics.Rollup{}
		}
		buckets[start].Add(row.Rollup)
		if row.Views > 0 {
			viewed[start]++
			shared = shared || viewed[start] > 1
		}
		if perVideo[row.VideoID] == nil {
			perVideo[row.VideoID] = &videoTotals{}
		}
		perVideo[row.VideoID].views += row.Views
		perVideo[row.VideoID].watchMs += row.WatchMs
	}
	// A viewer counts once across the periods of the range, and across
	// the videos of a bucket: the sums above would overcount them.
	total.UniqueViewers = data.UniqueViewers
	var uniqueBy map[time.Time]int64
	if shared {
		if uniqueBy, err = r.Store.UniqueViewersByPeriod(ctx, period, sc, w.from, w.to); err != nil {
			return nil, err
		}
	}
	out := &model.Analytics{From: w.from, To: w.to, Interval: w.interval,
		Totals: analyticsPoint(w.from, total), Series: []*model.AnalyticsPoint{},
		Retention: []*model.RetentionPoint{}, Renditions: renditionShares(total.RenditionMs), TopVideos: []*model.VideoViews{}}
	for t := w.from; t.Before(w.to); t = t.Add(w.step) {
		b := analytics.Rollup{}
		if got := buckets[t]; got != nil {
			b = *got
		}
		if viewed[t] > 1 {
			b.UniqueViewers = uniqueBy[t]
		}
		out.Series = append(out.Series, analyticsPoint(t, b))
	}
	if video != nil {
		var duration int64
		if video.Duration != nil {
			duration = int64(math.Round(*video.Duration * 1000))
		}
		width := float64(analytics.BucketSeconds(duration))
		n := analytics.RetentionBuckets(duration)
		shares := total.RetentionShare()
		for i := 0; i < n; i++ {
			share := 0.0
			if i < len(shares) {
				share = shares[i]
			}
			out.Retention = append(out.Retention, &model.RetentionPoint{Second: float64(i) * width, Share: share})
		}
		if x := perVideo[video.ID]; x != nil {
			out.TopVideos = append(out.TopVideos, &model.VideoViews{Video: model.VideoFrom(*video), Views: int(x.views), WatchTimeSeconds: float64(x.watchMs) / 1000})
		}
		return out, nil
	}
	top, err := r.topVideos(ctx, perVideo, viewer)
	if err != nil {
		return nil, err
	}
	out.TopVideos = top
	return out, nil
}

// videoTotals is what the top-videos list needs of each video.
type videoTotals struct{ views, watchMs int64 }

func (r *Resolver) topVideos(ctx context.Context, perVideo map[uuid.UUID]*videoTotals, viewer store.Viewer) ([]*model.VideoViews, error) {
	ids := make([]uuid.UUID, 0, len(perVideo))
	for id := range perVideo {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		a, b := perVideo[ids[i]], perVideo[ids[j]]
		if a.views != b.views {
			return a.views > b.views
		}
		if a.watchMs != b.watchMs {
			return a.watchMs > b.watchMs
		}
		return ids[i].String() < ids[j].String()
	})
	ids = ids[:min(len(ids), topVideos)]
	out := []*model.VideoViews{}
	if len(ids) == 0 {
		return out, nil
	}
	videos, err := r.Store.VideosForViewer(ctx, ids, viewer)
	if err != nil {
		return nil, err
	}
	byID := map[uuid.UUID]store.Video{}
	for _, v := range videos {
		byID[v.ID] = v
	}
	for _, id := range ids {
		v, ok := byID[id]
		if !ok {
			continue
		}
		x := perVideo[id]
		out = append(out, &model.VideoViews{Video: model.VideoFrom(v), Views: int(x.views), WatchTimeSeconds: float64(x.watchMs) / 1000})
	}
	return out, nil
}

func analyticsPoint(start time.Time, r analytics.Rollup) *model.AnalyticsPoint {
	p := &model.AnalyticsPoint{
		Start: start, Views: int(r.Views), UniqueViewers: int(r.UniqueViewers),
		WatchTimeSeconds:           float64(r.WatchMs) / 1000,
		AverageViewDurationSeconds: r.AverageViewDurationMs() / 1000,
		PlaybackAttempts:           int(r.Attempts),
		RebufferingRatio:           r.RebufferingRatio(),
		ExitsBeforeStart:           int(r.ExitsBeforeStart),
		PlaybackFailures:           int(r.Failures),
	}
	if r.StartupCount > 0 {
		mean, p50, p95 := r.StartupMeanMs(), r.StartupPercentileMs(50), r.StartupPercentileMs(95)
		p.StartupTimeMeanMs, p.StartupTimeP50Ms, p.StartupTimeP95Ms = &mean, &p50, &p95
	}
	return p
}

func renditionShares(ms map[string]int64) []*model.RenditionWatchTime {
	var total int64
	for _, v := range ms {
		total += v
	}
	out := []*model.RenditionWatchTime{}
	for name, v := range ms {
		if v <= 0 {
			continue
		}
		out = append(out, &model.RenditionWatchTime{Rendition: name, Seconds: float64(v) / 1000, Share: float64(v) / float64(total)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Seconds != out[j].Seconds {
			return out[i].Seconds > out[j].Seconds
		}
		return out[i].Rendition < out[j].Rendition
	})
	return out
}

// analyticsVideo returns the video if the viewer may read its analytics: its
// owner or an administrator. Others get FORBIDDEN, or NOT_FOUND for a
// video they cannot see at all.
func (r *Resolver) analyticsVideo(ctx context.Context, id uuid.UUID) (store.Video, store.Viewer, error) {
	viewer, err := auth.Require(ctx)
	if err != nil {
		return store.Video{}, store.Viewer{}, err
	}
	v, err := r.Store.VideoForViewer(ctx, id, viewer.Store())
	if err != nil {
		return store.Video{}, store.Viewer{}, err
	}
	if v.OwnerID != viewer.UserID && !viewer.IsAdmin {
		return store.Video{}, store.Viewer{}, store.ErrForbidden
	}
	return v, viewer.Store(), nil
}

// batchFromInput turns the GraphQL form of a batch into the wire form.
func batchFromInput(in model.PlaybackEventBatchInput) *analytics.Batch {
	b := &analytics.Batch{VideoID: in.VideoID.String(), ViewerID: in.ViewerID, SessionID: in.SessionID,
		Seq: int64(in.Seq), Events: make([]analytics.WireEvent, 0, len(in.Events))}
	for _, e := range in.Events {
		w := analytics.WireEvent{Seq: int64(e.Seq), Type: eventTypeName(e.Type), T: e.T, Pos: e.Position, From: e.From}
		if e.Rendition != nil {
			w.Rendition = *e.Rendition
		}
		if e.Buffer != nil {
			w.Buffer = *e.Buffer
		}
		if e.Error != nil {
			w.Error = *e.Error
		}
		b.Events = append(b.Events, w)
	}
	return b
}

func eventTypeName(t model.PlaybackEventType) string {
	b := []byte(t)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// ingestError maps the Ingester's refusals to API errors.
func ingestError(err error) error {
	switch {
	case errors.Is(err, analytics.ErrBadBatch):
		return badInput("batch", "%s", err.Error())
	case errors.Is(err, analytics.ErrRateLimited):
		return auth.RateLimited(10 * time.Second)
	case errors.Is(err, analytics.ErrOverloaded):
		return &auth.Error{Code: "RATE_LIMITED", Message: "Analytics is busy; send the events again later.", RetryAfter: 5 * time.Second}
	}
	return err
}

// streamLiveViewers sends a video's live viewer count at once and then
// whenever it changes, re-counting every livePoll (one indexed query per
// subscription), until ctx ends.
func streamLiveViewers(ctx context.Context, s *store.Store, id uuid.UUID, logger interface {
	WarnContext(context.Context, string, ...any)
}) <-chan *model.LiveViewers {
	out := make(chan *model.LiveViewers, 1)
	go func() {
		defer close(out)
		tick := time.NewTicker(livePoll)
		defer tick.Stop()
		last := -1
		for {
			n, err := s.LiveViewers(ctx, id, liveWindow)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				logger.WarnContext(ctx, "counting live viewers failed", "video_id", id, "error", err)
			} else if n != last {
				select {
				case out <- &model.LiveViewers{VideoID: id, Count: n, At: time.Now().UTC()}:
					last = n
				case <-ctx.Done():
					return
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return out
}

// analyticsCaller is who reports playback: the client address and, when
// signed in, the viewer (who may report their own private videos).
func analyticsCaller(ctx context.Context) analytics.Caller {
	caller := analytics.Caller{IP: auth.ClientFrom(ctx).IP}
	if v, err := auth.ViewerFrom(ctx); err == nil && v != nil {
		caller.UserID, caller.IsAdmin = v.UserID, v.IsAdmin
	}
	return caller
}
