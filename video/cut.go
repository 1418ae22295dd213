package video

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/store"
)

// CutQueue inserts the jobs of cutting in the caller's transaction. It is
// an optional capability of Config.Queue (jobs.Queue has it), asked for
// when a cut is requested, so queues that predate cutting still build.
type CutQueue interface {
	// PosterTx queues making the frame at second at of video id its poster.
	PosterTx(ctx context.Context, tx pgx.Tx, videoID uuid.UUID, at float64) error
	// ClipTx queues cutting [start, end) of video parent's source into
	// the source of clip id.
	ClipTx(ctx context.Context, tx pgx.Tx, id, parent uuid.UUID, start, end float64) error
	// EditTx queues making edit seq of video id: keep the ranges keep of
	// the original (nil: back to the original).
	EditTx(ctx context.Context, tx pgx.Tx, id uuid.UUID, seq int64, keep []store.TimeRange) error
}

// cutQueue is the service's queue as a CutQueue.
func (s *Service) cutQueue() (CutQueue, error) {
	q, ok := s.queue.(CutQueue)
	if !ok {
		return nil, fmt.Errorf("cut: the job queue %T cannot queue cutting jobs", s.queue)
	}
	return q, nil
}

// InputError refuses input that does not fit the video (a chapter past
// its end, a poster time outside it, a clip too short): the GraphQL error
// presenter reports it as BAD_USER_INPUT with extensions.field = Field.
type InputError struct {
	Field   string
	Message string
}

func (e *InputError) Error() string { return e.Message }

// PublicCode is the error's GraphQL extensions.code.
func (e *InputError) PublicCode() string { return "BAD_USER_INPUT" }

// PublicField names the input field at fault.
func (e *InputError) PublicField() string { return e.Field }

func badInput(field, format string, args ...any) error {
	return &InputError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Chapter limits.
const (
	// MaxChapters bounds a video's chapters.
	MaxChapters = 100
	// MaxChapterTitle bounds a chapter title, in characters.
	MaxChapterTitle = 100
)

// SetChapters sets the chapters of a video the viewer owns (or any, for
// administrators) and returns the video. nil goes back to the chapters
// written in the description; an empty list means none. Chapters must
// start at 0 or later, before the video's end once its duration is known,
// in strictly increasing order, with titles of 1 to MaxChapterTitle
// characters (surrounding spaces are trimmed); anything else is an
// *InputError and changes nothing.
func (s *Service) SetChapters(ctx context.Context, id uuid.UUID, viewer store.Viewer, chapters []store.Chapter) (store.Video, error) {
	v, err := s.owned(ctx, id, viewer)
	if err != nil {
		return store.Video{}, err
	}
	var clean []store.Chapter
	if chapters != nil {
		if clean, err = validChapters(chapters, v.Duration); err != nil {
			return store.Video{}, err
		}
	}
	v, err = s.store.SetChapters(ctx, id, viewer, clean)
	if err != nil {
		return store.Video{}, err
	}
	return v, s.publishChapters(ctx, v)
}

func validChapters(in []store.Chapter, duration *float64) ([]store.Chapter, error) {
	if len(in) > MaxChapters {
		return nil, badInput("chapters", "A video can have at most %d chapters.", MaxChapters)
	}
	out := make([]store.Chapter, 0, len(in))
	for i, c := range in {
		n := i + 1
		switch {
		case math.IsNaN(c.Start) || math.IsInf(c.Start, 0) || c.Start < 0:
			return nil, badInput("start", "Chapter %d starts before the video.", n)
		case duration != nil && c.Start >= *duration:
			return nil, badInput("start", "Chapter %d starts at %s, at or after the video's end (%s).", n, Timestamp(c.Start), Timestamp(*duration))
		case i > 0 && c.Start <= out[i-1].Start:
			return nil, badInput("start", "Chapter %d must start after chapter %d: chapters are in increasing order.", n, i)
		}
		title := strings.TrimSpace(c.Title)
		if l := utf8.RuneCountInString(title); l < 1 || l > MaxChapterTitle {
			return nil, badInput("title", "Chapter %d's title must be 1 to %d characters.", n, MaxChapterTitle)
		}
		out = append(out, store.Chapter{Start: c.Start, Title: title})
	}
	return out, nil
}

// Chapters are a video's chapters: the ones set with SetChapters, else
// the ones written in its description (DescriptionChapters), else none.
func Chapters(v store.Video) []store.Chapter {
	if v.Chapters != nil {
		return v.Chapters
	}
	if v.Description == nil {
		return []store.Chapter{}
	}
	return DescriptionChapters(*v.Description, v.Duration)
}

// chapterLine is a description line that begins with a timestamp (M:SS,
// MM:SS or H:MM:SS, optionally in brackets) and goes on with a title,
// possibly after a separator.
var chapterLine = regexp.MustCompile(`^\s*[\[(]?(?:(\d{1,2}):)?(\d{1,2}):(\d{2})[\])]?\s*(?:[-–—:|]\s*)?(\S.*)$`)

// DescriptionChapters reads chapters from a description as YouTube does:
// the lines that begin with a timestamp followed by a title, when there
// are at least two, the first at 0:00 and each later than the one before;
// otherwise none. With a known duration, lines at or past the end are
// left out (and count for none of the rules).
func DescriptionChapters(description string, duration *float64) []store.Chapter {
	none := []store.Chapter{}
	var out []store.Chapter
	for line := range strings.Lines(description) {
		m := chapterLine.FindStringSubmatch(strings.TrimRight(line, "\r\n"))
		if m == nil {
			continue
		}
		h, _ := strconv.Atoi(m[1]) // "" when absent: 0
		mm, _ := strconv.Atoi(m[2])
		ss, _ := strconv.Atoi(m[3])
		if ss > 59 || (m[1] != "" && mm > 59) {
			return none
		}
		start := float64(h*3600 + mm*60 + ss)
		if duration != nil && start >= *duration {
			continue
		}
		title := strings.TrimSpace(m[4])
		if utf8.RuneCountInString(title) > MaxChapterTitle {
			title = string([]rune(title)[:MaxChapterTitle])
		}
		if len(out) > 0 && start <= out[len(out)-1].Start {
			return none
		}
		if len(out) == MaxChapters {
			break
		}
		out = append(out, store.Chapter{Start: start, Title: title})
	}
	if len(out) < 2 || out[0].Start != 0 {
		return none
	}
	return out
}

// Timestamp formats seconds as a description timestamp: M:SS, or H:MM:SS
// from an hour on (fractions dropped).
func Timestamp(seconds float64) string {
	s := int(seconds)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// SetPoster makes the frame shown at second at of a READY video of the
// viewer's its poster: it checks the time and queues the job that
// extracts the frame from the source and publishes it under a new name
// (the poster URL changes when it is done), and returns the video as it is
// now. A time outside the video or a video without pictures is an
// *InputError; a video that is not READY a *StateError.
func (s *Service) SetPoster(ctx context.Context, id uuid.UUID, viewer store.Viewer, at float64) (store.Video, error) {
	v, err := s.owned(ctx, id, viewer)
	if err != nil {
		return store.Video{}, err
	}
	if v.Status != store.StatusReady {
		return store.Video{}, &StateError{Status: v.Status,
			Message: fmt.Sprintf("The video is %s; a poster can be picked once it is READY.", v.Status)}
	}
	if err := withinVideo("time", at, v.Duration); err != nil {
		return store.Video{}, err
	}
	info, err := s.store.ProbeResult(ctx, id)
	if err != nil {
		return store.Video{}, fmt.Errorf("set poster of %s: %w", id, err)
	}
	if info.Video == nil {
		return store.Video{}, badInput("videoId", "This video has no pictures to take a poster from.")
	}
	q, err := s.cutQueue()
	if err != nil {
		return store.Video{}, err
	}
	err = s.store.InTx(ctx, func(tx pgx.Tx) error { return q.PosterTx(ctx, tx, id, at) })
	if err != nil {
		return store.Video{}, err
	}
	return v, nil
}

// withinVideo refuses a time that is not in [0, duration).
func withinVideo(field string, at float64, duration *float64) error {
	if math.IsNaN(at) || math.IsInf(at, 0) || at < 0 {
		return badInput(field, "%s must be 0 or more seconds.", field)
	}
	if duration == nil {
		return badInput(field, "The video's length is not known yet.")
	}
	if at >= *duration {
		return badInput(field, "%s (%.3f s) must be before the video's end (%.3f s).", field, at, *duration)
	}
	return nil
}

// MinClipSeconds is the shortest clip.
const MinClipSeconds = 0.5

// Clip is what CreateClip needs.
type Clip struct {
	// Parent is the video to cut from; the viewer must own it.
	Parent     uuid.UUID
	Start, End float64
	// Title defaults to "Clip of <the parent's title>".
	Title       *string
	Description *string
	// Privacy defaults to the parent's.
	Privacy string
}

// CreateClip makes a new video of the viewer's from [Start, End) of a
// READY video they own, held to lim like an upload (store.LimitError),
// and queues the job that cuts its source from the parent's upload; then
// it is processed like an upload (StartProcessing). It returns the new
// video, UPLOADING at stage "clip". A range outside the video, reversed or
// shorter than MinClipSeconds is an *InputError; a parent that is not
// READY a *StateError.
func (s *Service) CreateClip(ctx context.Context, viewer store.Viewer, c Clip, lim store.Limits) (store.Video, error) {
	parent, err := s.owned(ctx, c.Parent, viewer)
	if err != nil {
		return store.Video{}, err
	}
	if parent.Status != store.StatusReady {
		return store.Video{}, &StateError{Status: parent.Status,
			Message: fmt.Sprintf("The video is %s; clips can be made once it is READY.", parent.Status)}
	}
	if err := withinVideo("start", c.Start, parent.Duration); err != nil {
		return store.Video{}, err
	}
	if math.IsNaN(c.End) || c.End > *parent.Duration {
		return store.Video{}, badInput("end", "end (%.3f s) must be at most the video's end (%.3f s).", c.End, *parent.Duration)
	}
	if c.End-c.Start < MinClipSeconds {
		return store.Video{}, badInput("end", "A clip must be at least %.1f s long: end must be after start.", MinClipSeconds)
	}
	q, err := s.cutQueue()
	if err != nil {
		return store.Video{}, err
	}
	title := "Clip of " + parent.Title
	if c.Title != nil {
		title = *c.Title
	}
	if r := []rune(title); len(r) > 200 {
		title = string(r[:200])
	}
	privacy := c.Privacy
	if privacy == "" {
		privacy = parent.Privacy
	}
	// The quota counts the clip at the parent's bitrate until its source
	// exists.
	size := max(int64(float64(parent.UploadSize)*(c.End-c.Start) / *parent.Duration), 1)
	v, err := s.store.CreateUploadVideo(ctx, store.NewUpload{OwnerID: viewer.UserID, Title: title,
		Description: c.Description, Privacy: privacy, Filename: "clip.mp4", Size: size,
		ExpiresAt: time.Now().Add(clipExpiry)}, lim)
	if err != nil {
		return store.Video{}, err
	}
	var marked store.Video
	err = s.store.InTx(ctx, func(tx pgx.Tx) error {
		if marked, err = s.store.MarkClipTx(ctx, tx, v.ID, parent.ID); err != nil {
			return err
		}
		return q.ClipTx(ctx, tx, v.ID, parent.ID, c.Start, c.End)
	})
	if err != nil {
		_ = s.DiscardUpload(context.WithoutCancel(ctx), v.ID, viewer)
		return store.Video{}, fmt.Errorf("create clip of %s: %w", parent.ID, err)
	}
	// The row as queued: the job may already have moved it on.
	return marked, nil
}

// clipExpiry is how long a clip may wait for its source before the
// upload sweeper gives up on it, as on an upload that never finished.
const clipExpiry = 24 * time.Hour

// ChaptersTrack is v's chapters (Chapters) as a WebVTT chapters track,
// each cue from a chapter's start to the next one's (the last to the
// video's end), and the key it is published at (layout.ChaptersTrack,
// named from its bytes so players and caches never see a stale track).
// ok is false when there are no chapters or the duration is not known.
func ChaptersTrack(v store.Video) (key string, vtt []byte, ok bool) {
	chapters := Chapters(v)
	if len(chapters) == 0 || v.Duration == nil {
		return "", nil, false
	}
	end := *v.Duration
	cues := make([]media.Cue, 0, len(chapters))
	for i, c := range chapters {
		if c.Start >= end {
			break
		}
		next := end
		if i+1 < len(chapters) {
			next = min(chapters[i+1].Start, end)
		}
		cues = append(cues, media.Cue{Start: seconds(c.Start), End: seconds(next), Text: c.Title})
	}
	if len(cues) == 0 {
		return "", nil, false
	}
	var buf bytes.Buffer
	_ = media.WriteWebVTT(&buf, cues) // writes to memory: cannot fail
	sum := sha256.Sum256(buf.Bytes())
	return layout.ChaptersTrack(v.ID, hex.EncodeToString(sum[:])[:10]), buf.Bytes(), true
}

func seconds(s float64) time.Duration { return time.Duration(math.Round(s * float64(time.Second))) }

// publishChapters writes v's chapters track (ChaptersTrack) when it has
// chapters. Tracks of earlier chapters stay (a few hundred bytes each,
// removed with the video): a page loaded before the change still plays.
func (s *Service) publishChapters(ctx context.Context, v store.Video) error {
	key, vtt, ok := ChaptersTrack(v)
	if !ok {
		return nil
	}
	if err := s.media.Put(ctx, key, bytes.NewReader(vtt), int64(len(vtt)), "text/vtt"); err != nil {
		return fmt.Errorf("publish chapters of %s: %w", v.ID, err)
	}
	return nil
}

// PublishChapters writes the chapters track of video id as it is now
// (after processing, when its duration becomes known).
func (s *Service) PublishChapters(ctx context.Context, id uuid.UUID) error {
	v, err := s.store.VideoByID(ctx, id)
	if err != nil {
		return fmt.Errorf("publish chapters of %s: %w", id, err)
	}
	return s.publishChapters(ctx, v)
}

// ClipSubtitles gives clip, cut from [start, end) of the original of
// video parent, the parent's subtitles timed for the clip (media.EditCues
// with the one kept range), and the generated tracks' words, instead of
// transcribing the clip again: the clip's audio is the parent's. The
// tracks come from the parent's original (an edited parent's snapshot),
// since the range is in its time base. It returns the subtitle status to
// record on the clip with its note, and ok false, having saved nothing,
// when the parent's own subtitles are not settled (pending or failed):
// then the clip is transcribed like an upload. Call it once the clip's
// renditions are recorded (the master playlist lists the tracks).
func (s *Service) ClipSubtitles(ctx context.Context, clip, parent uuid.UUID, start, end float64) (status, note string, ok bool, err error) {
	p, err := s.store.VideoByID(ctx, parent)
	if err != nil {
		return "", "", false, fmt.Errorf("clip subtitles of %s: %w", clip, err)
	}
	if p.SubtitlesStatus != store.SubtitlesReady && p.SubtitlesStatus != store.SubtitlesNone {
		return "", "", false, nil
	}
	st, err := s.store.EditState(ctx, parent)
	if err != nil {
		return "", "", false, fmt.Errorf("clip subtitles of %s: %w", clip, err)
	}
	original := st.Original
	if original == nil {
		if original, err = s.editOriginal(ctx, p); err != nil {
			return "", "", false, fmt.Errorf("clip subtitles of %s: %w", clip, err)
		}
	}
	v, err := s.store.VideoByID(ctx, clip)
	if err != nil {
		return "", "", false, fmt.Errorf("clip subtitles of %s: %w", clip, err)
	}
	d := end - start
	v.Duration = &d
	keep := []media.TimeRange{{Start: start, End: end}}
	saved := 0
	for _, t := range original.Subtitles {
		cues, err := media.ParseVTT(strings.NewReader(t.VTT))
		if err != nil {
			return "", "", false, fmt.Errorf("clip subtitles of %s: %s: %w", clip, t.Language, err)
		}
		cues = media.EditCues(cues, keep)
		if len(cues) == 0 {
			continue // nothing said in the clip
		}
		if err := s.SaveSubtitles(ctx, v, Track{Language: t.Language, Label: t.Label, Provenance: t.Provenance, Engine: t.Engine}, cues); err != nil {
			return "", "", false, fmt.Errorf("clip subtitles of %s: %w", clip, err)
		}
		saved++
		if t.Provenance != store.ProvenanceGenerated {
			continue
		}
		words, err := s.store.SubtitleWords(ctx, parent, t.Language)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return "", "", false, fmt.Errorf("clip subtitles of %s: %w", clip, err)
		}
		if err := s.store.PutSubtitleWords(ctx, clip, t.Language, EditWords(words, []store.TimeRange{{Start: start, End: end}})); err != nil {
			return "", "", false, fmt.Errorf("clip subtitles of %s: %w", clip, err)
		}
	}
	if saved > 0 {
		return store.SubtitlesReady, "", true, nil
	}
	if p.SubtitlesStatus == store.SubtitlesNone && p.SubtitlesNote != nil {
		return store.SubtitlesNone, *p.SubtitlesNote, true, nil
	}
	return store.SubtitlesNone, "No speech was found in the audio, so there are no subtitles.", true, nil
}

// PublishChaptersOf writes the chapters track of v as given (a clip
// finishing in one transaction knows its duration before its row does).
func (s *Service) PublishChaptersOf(ctx context.Context, v store.Video) error {
	return s.publishChapters(ctx, v)
}
