package analytics

import (
	"math"
	"sort"
)

// ViewThresholdMs is what makes a session a view: at least this many
// milliseconds of the video played (3 seconds). IsView is the one place it
// is applied; README "Analytics" documents it.
const ViewThresholdMs = 3000

// IsView reports whether a session counts as a view.
func IsView(s Session) bool { return s.WatchMs >= ViewThresholdMs }

// maxRateFactor bounds how fast the position may advance against the
// player's own clock (2x playback speed); faster advances without a seek
// event are clamped, so a lying or buggy player cannot inflate watch time.
const maxRateFactor = 2

// maxStallMs caps one stall (5 minutes): a tab left buffering overnight is
// not five hours of rebuffering.
const maxStallMs = 5 * 60 * 1000

// Session is the summary of one playback session, computed from its
// events by Summarize.
type Session struct {
	// Attempted: the viewer asked to play (play or first_frame seen).
	Attempted bool
	// Started: the first frame was shown.
	Started bool
	// ExitedBeforeStart: asked to play, left before the first frame,
	// without an error.
	ExitedBeforeStart bool
	// Failed: a fatal playback error was reported.
	Failed bool
	// WatchMs is the media time played, in milliseconds.
	WatchMs int64
	// RebufferMs is the time spent stalled after the first frame.
	RebufferMs int64
	// StartupMs is the time from play to first frame; nil when playback
	// never started.
	StartupMs *int32
	// RenditionMs is the media time played per rendition.
	RenditionMs map[string]int64
	// Watched are the seconds of the video played, as sorted, disjoint
	// [start, end) pairs flattened into one slice.
	Watched []int32
}

// Summarize computes a session's summary from its events, in any order and
// with duplicates (same Seq): duplicates count once and events are replayed
// in Seq order. Times come from the player's relative clock; positions
// were clamped to the video's duration when received.
func Summarize(events []Event) Session {
	evs := dedupe(events)
	s := Session{RenditionMs: map[string]int64{}}
	var (
		playAt    int32 = -1
		started   bool
		lastPos   int32
		lastT     int32
		rendition string
		stallFrom int32 = -1
		ranges    [][2]int32
		lastKind  Kind
	)
	advance := func(to, t int32) {
		dt := int64(t) - int64(lastT)
		d := int64(to) - int64(lastPos)
		if d <= 0 || dt <= 0 {
			return
		}
		d = min(d, dt*maxRateFactor)
		s.WatchMs += d
		if rendition != "" {
			s.RenditionMs[rendition] += d
		}
		ranges = append(ranges, [2]int32{lastPos, lastPos + int32(d)})
	}
	endStall := func(t int32) {
		if stallFrom >= 0 && t > stallFrom {
			s.RebufferMs += min(int64(t-stallFrom), maxStallMs)
		}
		stallFrom = -1
	}
	for _, e := range evs {
		if e.Rendition != "" && (e.Kind == KindFirstFrame || e.Kind == KindRenditionSwitch || e.Kind == KindHeartbeat) && !started {
			rendition = e.Rendition
		}
		switch e.Kind {
		case KindPlay:
			s.Attempted = true
			if playAt < 0 {
				playAt = e.ClientMs
			}
		case KindError:
			s.Failed = true
		}
		if !started {
			if e.Kind == KindFirstFrame {
				started, s.Started, s.Attempted = true, true, true
				if playAt >= 0 && e.ClientMs >= playAt {
					startup := e.ClientMs - playAt
					s.StartupMs = &startup
				}
				lastPos, lastT = e.PositionMs, e.ClientMs
			}
			lastKind = e.Kind
			continue
		}
		// After the first frame: media time played between two events is
		// how far the position moved, never more than the clock allows.
		stalled := lastKind == KindStallStart || stallFrom >= 0
		switch e.Kind {
		case KindSeek:
			if e.FromMs != nil && !stalled {
				advance(*e.FromMs, e.ClientMs)
			}
		default:
			if !stalled {
				advance(e.PositionMs, e.ClientMs)
			}
		}
		switch e.Kind {
		case KindStallStart:
			if stallFrom < 0 {
				stallFrom = e.ClientMs
			}
		case KindStallEnd, KindEnded, KindError, KindPause:
			endStall(e.ClientMs)
		case KindHeartbeat:
			// A heartbeat while stalled keeps the stall open.
		}
		if e.Rendition != "" {
			rendition = e.Rendition
		}
		lastPos, lastT, lastKind = e.PositionMs, e.ClientMs, e.Kind
	}
	if stallFrom >= 0 {
		endStall(lastT)
	}
	s.ExitedBeforeStart = s.Attempted && !s.Started && !s.Failed
	s.Watched = mergeRanges(ranges)
	return s
}

// dedupe sorts events by Seq and keeps the first of each Seq.
func dedupe(events []Event) []Event {
	evs := append([]Event(nil), events...)
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Seq < evs[j].Seq })
	out := evs[:0]
	for i, e := range evs {
		if i > 0 && e.Seq == evs[i-1].Seq {
			continue
		}
		out = append(out, e)
	}
	return out
}

// mergeRanges turns played millisecond ranges into sorted, disjoint second
// ranges. A second counts as watched when its middle was played, so
// [0 ms, 10000 ms) is seconds 0 to 9.
func mergeRanges(ms [][2]int32) []int32 {
	var secs [][2]int32
	for _, r := range ms {
		a := int32(math.Round(float64(r[0]) / 1000))
		b := int32(math.Round(float64(r[1]) / 1000))
		if b > a {
			secs = append(secs, [2]int32{a, b})
		}
	}
	sort.Slice(secs, func(i, j int) bool { return secs[i][0] < secs[j][0] })
	var out []int32
	for _, r := range secs {
		if n := len(out); n > 0 && r[0] <= out[n-1] {
			out[n-1] = max(out[n-1], r[1])
			continue
		}
		out = append(out, r[0], r[1])
	}
	if out == nil {
		out = []int32{}
	}
	return out
}
