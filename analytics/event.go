package analytics

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"time"

	"github.com/google/uuid"
)

// Kind is the type of a player event. The numbers are stored in
// playback_events.kind and never change.
type Kind int16

// The events a player reports.
const (
	KindLoad            Kind = 1  // the player was created for the video
	KindPlay            Kind = 2  // the viewer (or autoplay) asked to play
	KindFirstFrame      Kind = 3  // the first frame was shown: playback started
	KindHeartbeat       Kind = 4  // every 10 s while the page is open
	KindSeek            Kind = 5  // the position jumped (from -> pos)
	KindRenditionSwitch Kind = 6  // the player switched to another quality
	KindStallStart      Kind = 7  // playback stopped to wait for data
	KindStallEnd        Kind = 8  // playback resumed after a stall
	KindError           Kind = 9  // a fatal playback error
	KindEnded           Kind = 10 // playback reached the end
	KindPause           Kind = 11 // the viewer paused
)

var kindNames = map[string]Kind{
	"load": KindLoad, "play": KindPlay, "first_frame": KindFirstFrame, "heartbeat": KindHeartbeat,
	"seek": KindSeek, "rendition_switch": KindRenditionSwitch, "stall_start": KindStallStart,
	"stall_end": KindStallEnd, "error": KindError, "ended": KindEnded, "pause": KindPause,
}

// ParseKind maps a wire name ("first_frame") to its Kind.
func ParseKind(name string) (Kind, bool) {
	k, ok := kindNames[name]
	return k, ok
}

// Limits on what a player may send.
const (
	// MaxBatchEvents is the most events one batch may carry.
	MaxBatchEvents = 200
	// MaxBodyBytes is the largest batch body accepted over HTTP.
	MaxBodyBytes = 64 << 10
	// MaxSessionLength is the longest a session may report for; later
	// events (by the player's own clock) are dropped.
	MaxSessionLength = 6 * time.Hour
	// maxBufferMs caps a reported buffer length (10 minutes).
	maxBufferMs = 600_000
	// maxPositionMs caps positions for videos of unknown duration (24 h).
	maxPositionMs = 24 * 3600 * 1000
)

// Batch is what a player sends: a few events of one session, numbered.
// Its JSON form is the body of POST /api/v1/analytics/events.
type Batch struct {
	// VideoID names the video being played, as the player opened it: its
	// id, or its public id (22 base64url characters), which is how anyone
	// but its owner and administrators plays an UNLISTED video.
	VideoID string `json:"videoId"`
	// ViewerID is a random UUID (version 4) the player keeps in local
	// storage: anonymous, the same across sessions of one browser.
	ViewerID string `json:"viewerId"`
	// SessionID is a random UUID (version 4) per playback session (one
	// page view of one video).
	SessionID string `json:"sessionId"`
	// Seq numbers the session's batches from 0, so a re-sent batch is
	// recognised.
	Seq int64 `json:"seq"`
	// Events, in any order; each carries its own sequence number.
	Events []WireEvent `json:"events"`
}

// WireEvent is one event as a player sends it.
type WireEvent struct {
	// Seq numbers the session's events from 0; an event sent twice has the
	// same Seq and is counted once.
	Seq int64 `json:"seq"`
	// Type is the event's name: load, play, first_frame, heartbeat, seek,
	// rendition_switch, stall_start, stall_end, error, ended or pause.
	Type string `json:"type"`
	// T is milliseconds since the session started on the player's
	// monotonic clock (performance.now()), never a wall-clock time.
	T float64 `json:"t"`
	// Pos is the playback position in seconds.
	Pos float64 `json:"pos"`
	// From is, for a seek, the position before it, in seconds.
	From *float64 `json:"from,omitempty"`
	// Rendition is the quality playing, for example "720p".
	Rendition string `json:"rendition,omitempty"`
	// Buffer is the seconds of media buffered ahead of the position.
	Buffer float64 `json:"buffer,omitempty"`
	// Error is a short description of a fatal error.
	Error string `json:"error,omitempty"`
}

// Event is one validated event, ready to store.
type Event struct {
	ReceivedAt time.Time
	SessionID  uuid.UUID
	Seq        int32
	Kind       Kind
	ClientMs   int32
	PositionMs int32
	BufferMs   int32
	Rendition  string
	FromMs     *int32
	Error      string
}

// Header is a batch's validated identity.
type Header struct {
	// VideoID is the video's id; zero when the batch names it by
	// PublicID (the Ingester resolves it).
	VideoID uuid.UUID
	// PublicID is set when the batch names the video by its public id.
	PublicID            string
	ViewerID, SessionID uuid.UUID
	Seq                 int64
}

// publicIDLen is the length of a public id: 128 bits in unpadded
// base64url (layout.PublicIDLen; this package imports no other).
const publicIDLen = 22

// isPublicID reports whether s has the shape of a public id. A video id
// (36 characters) never has it.
func isPublicID(s string) bool {
	if len(s) != publicIDLen {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// ErrBadBatch wraps every reason a whole batch is refused.
var ErrBadBatch = errors.New("bad analytics batch")

func badBatch(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadBatch, fmt.Sprintf(format, args...))
}

// ParseHeader checks a batch's ids and size. A batch failing here is
// refused as a whole (HTTP 400, BAD_USER_INPUT).
func ParseHeader(b *Batch) (Header, error) {
	var h Header
	var err error
	if isPublicID(b.VideoID) {
		h.PublicID = b.VideoID
	} else if h.VideoID, err = uuid.Parse(b.VideoID); err != nil {
		return h, badBatch("videoId is neither a video id nor a public id")
	}
	if h.ViewerID, err = randomID(b.ViewerID); err != nil {
		return h, badBatch("viewerId: %v", err)
	}
	if h.SessionID, err = randomID(b.SessionID); err != nil {
		return h, badBatch("sessionId: %v", err)
	}
	if b.Seq < 0 || b.Seq > math.MaxInt32 {
		return h, badBatch("seq must be between 0 and %d", math.MaxInt32)
	}
	h.Seq = b.Seq
	if len(b.Events) == 0 || len(b.Events) > MaxBatchEvents {
		return h, badBatch("a batch carries 1 to %d events, got %d", MaxBatchEvents, len(b.Events))
	}
	return h, nil
}

// randomID accepts only random (version 4) UUIDs: what crypto.randomUUID
// makes, and nothing that could carry personal data.
func randomID(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		return uuid.Nil, errors.New("must be a UUID like crypto.randomUUID() makes")
	}
	if id.Version() != 4 || id.Variant() != uuid.RFC4122 {
		return uuid.Nil, errors.New("must be a random (version 4) UUID")
	}
	return id, nil
}

var renditionName = regexp.MustCompile(`^[0-9A-Za-z_.-]{1,16}$`)

// Problem says why one event was dropped or changed, for metrics.
type Problem string

// What can be wrong with an event.
const (
	ProblemInvalid    Problem = "invalid"          // unknown type, non-finite number, bad field
	ProblemTooLate    Problem = "session_too_long" // t beyond MaxSessionLength
	ProblemClamped    Problem = "clamped"          // position or buffer out of range, kept clamped
	ProblemDuplicate  Problem = "duplicate"        // a batch already received
	ProblemUnknown    Problem = "unknown_video"    // no such video
	ProblemNotVisible Problem = "not_visible"      // a video the caller cannot see (PRIVATE, not theirs)
	ProblemLimited    Problem = "rate_limited"     // the viewer or address sent too much
	ProblemOverloaded Problem = "overloaded"       // the ingest buffer was full
	ProblemBadBatch   Problem = "bad_batch"        // the whole batch was refused
)

// Normalize validates one event of a video lasting durationMs (0 when
// unknown) received at receivedAt. It returns ok=false for an event to drop,
// and clamped=true when a position or buffer length was out of range and
// was clamped rather than dropped.
func Normalize(w WireEvent, sessionID uuid.UUID, receivedAt time.Time, durationMs int32) (ev Event, problem Problem, ok bool) {
	kind, known := ParseKind(w.Type)
	if !known || w.Seq < 0 || w.Seq > math.MaxInt32 || !finite(w.T, w.Pos, w.Buffer) || w.T < 0 ||
		len(w.Error) > 500 || (w.Rendition != "" && !renditionName.MatchString(w.Rendition)) ||
		(w.From != nil && !finite(*w.From)) {
		return Event{}, ProblemInvalid, false
	}
	if w.T > float64(MaxSessionLength/time.Millisecond) {
		return Event{}, ProblemTooLate, false
	}
	limit := int64(durationMs)
	if limit <= 0 {
		limit = maxPositionMs
	}
	clamped := false
	clampMs := func(seconds float64, hi int64) int32 {
		ms := int64(math.Round(seconds * 1000))
		if ms < 0 || ms > hi {
			clamped = true
			ms = min(max(ms, 0), hi)
		}
		return int32(ms)
	}
	ev = Event{
		ReceivedAt: receivedAt, SessionID: sessionID, Seq: int32(w.Seq), Kind: kind,
		ClientMs:   int32(w.T),
		PositionMs: clampMs(w.Pos, limit),
		BufferMs:   clampMs(w.Buffer, maxBufferMs),
		Rendition:  w.Rendition,
		Error:      w.Error,
	}
	if w.From != nil {
		from := clampMs(*w.From, limit)
		ev.FromMs = &from
	}
	if clamped {
		problem = ProblemClamped
	}
	return ev, problem, true
}

func finite(fs ...float64) bool {
	for _, f := range fs {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return false
		}
	}
	return true
}

// String is the kind's wire name ("first_frame").
func (k Kind) String() string {
	for name, kind := range kindNames {
		if kind == k {
			return name
		}
	}
	return fmt.Sprintf("kind(%d)", int16(k))
}
