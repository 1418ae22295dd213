package analytics

import (
	"math"
	"slices"
	"sort"
)

// MaxRetentionBuckets bounds a retention curve: a video is cut into at
// most this many equal buckets (one per second up to an hour).
const MaxRetentionBuckets = 3600

// maxStartupSamples bounds the startup times kept per rollup row for
// percentiles; beyond it the sorted samples are thinned evenly, which
// keeps every quantile within one sample's rank.
const maxStartupSamples = 1000

// BucketSeconds is the width of one retention bucket for a video lasting
// durationMs: one second, or wider for videos longer than an hour.
func BucketSeconds(durationMs int64) int32 {
	secs := (durationMs + 999) / 1000
	return int32(max(1, (secs+MaxRetentionBuckets-1)/MaxRetentionBuckets))
}

// SessionRow is a summarised session as the rollups read it.
type SessionRow struct {
	ViewerID string
	Session
}

// Rollup is the figures of one video (or many) over one period. Rollups
// of disjoint periods combine with Add, except UniqueViewers, which is a
// distinct count and is computed separately for each range.
type Rollup struct {
	Sessions         int64
	Attempts         int64
	Started          int64
	Views            int64
	UniqueViewers    int64
	WatchMs          int64
	ViewWatchMs      int64
	RebufferMs       int64
	StartupCount     int64
	StartupMsSum     int64
	StartupMs        []int32 // sorted samples
	ExitsBeforeStart int64
	Failures         int64
	RenditionMs      map[string]int64
	// Retention counts, per bucket, the started sessions that played it.
	Retention []int32
}

// RollUp aggregates the sessions of one video-period. bucket is the
// video's retention bucket width (BucketSeconds) and buckets their number
// (RetentionBuckets). It also returns the distinct viewers with a view.
func RollUp(sessions []SessionRow, bucket int32, buckets int) (Rollup, []string) {
	r := Rollup{RenditionMs: map[string]int64{}, Retention: make([]int32, buckets)}
	viewers := map[string]struct{}{}
	for _, s := range sessions {
		r.Sessions++
		if s.Attempted {
			r.Attempts++
		}
		if s.Started {
			r.Started++
			markRetention(r.Retention, s.Watched, bucket)
		}
		if IsView(s.Session) {
			r.Views++
			r.ViewWatchMs += s.WatchMs
			viewers[s.ViewerID] = struct{}{}
		}
		r.WatchMs += s.WatchMs
		r.RebufferMs += s.RebufferMs
		if s.StartupMs != nil {
			r.StartupCount++
			r.StartupMsSum += int64(*s.StartupMs)
			r.StartupMs = append(r.StartupMs, *s.StartupMs)
		}
		if s.ExitedBeforeStart {
			r.ExitsBeforeStart++
		}
		if s.Failed {
			r.Failures++
		}
		for k, v := range s.RenditionMs {
			r.RenditionMs[k] += v
		}
	}
	r.UniqueViewers = int64(len(viewers))
	r.StartupMs = thin(r.StartupMs)
	ids := make([]string, 0, len(viewers))
	for v := range viewers {
		ids = append(ids, v)
	}
	sort.Strings(ids)
	return r, ids
}

// RetentionBuckets is how many buckets a video lasting durationMs has.
func RetentionBuckets(durationMs int64) int {
	secs := (durationMs + 999) / 1000
	b := int64(BucketSeconds(durationMs))
	return int(max(1, (secs+b-1)/b))
}

func markRetention(ret []int32, watched []int32, bucket int32) {
	last := -1
	for i := 0; i+1 < len(watched); i += 2 {
		from, to := watched[i]/bucket, (watched[i+1]-1)/bucket
		for b := max(int(from), last+1); b <= int(to) && b < len(ret); b++ {
			ret[b]++
			last = b
		}
	}
}

// Add folds o (a disjoint period) into r. UniqueViewers is summed, which
// overcounts viewers present in both; callers needing the exact figure
// count distinct viewers themselves.
func (r *Rollup) Add(o Rollup) {
	r.Sessions += o.Sessions
	r.Attempts += o.Attempts
	r.Started += o.Started
	r.Views += o.Views
	r.UniqueViewers += o.UniqueViewers
	r.WatchMs += o.WatchMs
	r.ViewWatchMs += o.ViewWatchMs
	r.RebufferMs += o.RebufferMs
	r.StartupCount += o.StartupCount
	r.StartupMsSum += o.StartupMsSum
	r.StartupMs = thin(mergeSorted(r.StartupMs, o.StartupMs))
	r.ExitsBeforeStart += o.ExitsBeforeStart
	r.Failures += o.Failures
	if r.RenditionMs == nil {
		r.RenditionMs = map[string]int64{}
	}
	for k, v := range o.RenditionMs {
		r.RenditionMs[k] += v
	}
	if len(o.Retention) > len(r.Retention) {
		r.Retention = append(r.Retention, make([]int32, len(o.Retention)-len(r.Retention))...)
	}
	for i, v := range o.Retention {
		r.Retention[i] += v
	}
}

// AverageViewDurationMs is the mean watch time of a view.
func (r Rollup) AverageViewDurationMs() float64 {
	if r.Views == 0 {
		return 0
	}
	return float64(r.ViewWatchMs) / float64(r.Views)
}

// RebufferingRatio is the share of viewing time spent stalled:
// rebuffering / (watch time + rebuffering).
func (r Rollup) RebufferingRatio() float64 {
	if r.WatchMs+r.RebufferMs == 0 {
		return 0
	}
	return float64(r.RebufferMs) / float64(r.WatchMs+r.RebufferMs)
}

// StartupMeanMs is the mean startup time, 0 without samples.
func (r Rollup) StartupMeanMs() float64 {
	if r.StartupCount == 0 {
		return 0
	}
	return float64(r.StartupMsSum) / float64(r.StartupCount)
}

// StartupPercentileMs is the p-th percentile (0 < p <= 100) of the startup
// time samples, by nearest rank; 0 without samples.
func (r Rollup) StartupPercentileMs(p float64) float64 {
	n := len(r.StartupMs)
	if n == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	return float64(r.StartupMs[min(max(rank, 1), n)-1])
}

// RetentionShare is, per bucket, the share of started sessions that
// played it.
func (r Rollup) RetentionShare() []float64 {
	out := make([]float64, len(r.Retention))
	if r.Started == 0 {
		return out
	}
	for i, v := range r.Retention {
		out[i] = float64(v) / float64(r.Started)
	}
	return out
}

// mergeSorted merges two sorted slices in linear time.
func mergeSorted(a, b []int32) []int32 {
	out := make([]int32, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if a[0] <= b[0] {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// thin sorts samples and keeps at most maxStartupSamples of them, evenly
// spaced by rank.
func thin(s []int32) []int32 {
	if !slices.IsSorted(s) {
		slices.Sort(s)
	}
	if len(s) <= maxStartupSamples {
		if s == nil {
			return []int32{}
		}
		return s
	}
	out := make([]int32, maxStartupSamples)
	for i := range out {
		out[i] = s[i*(len(s)-1)/(maxStartupSamples-1)]
	}
	return out
}
