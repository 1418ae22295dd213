package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/video"
)

// SubtitlesArgs makes a video's subtitles from its speech.
type SubtitlesArgs struct {
	VideoID uuid.UUID `json:"video_id"`
	// Duration (seconds) sizes the timeout.
	Duration float64 `json:"duration"`
	// Preview queues the animated preview in the transaction that marks
	// the video READY (a video encoded in chunks): made earlier, it would
	// take CPU from the steps READY waits for.
	Preview bool `json:"preview,omitempty"`
}

// Kind is the job's stable name.
func (SubtitlesArgs) Kind() string { return "subtitles" }

// InsertOpts: transcription is CPU-bound, so it runs on the media queue.
func (SubtitlesArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMedia, MaxAttempts: 3}
}

// SubtitlesWorker transcribes the audio with the instance's engine, stores
// the generated track (WebVTT, SRT, the HLS subtitles group, and the
// recognised words with their times), and then,
// when the video is still processing, marks it READY. Whatever happens to
// the subtitles (no audio, silence, no engine, the engine failing), the
// video ends READY; the outcome is on the video's subtitle state.
type SubtitlesWorker struct {
	river.WorkerDefaults[SubtitlesArgs]
	deps Deps
}

// Timeout allows one and a half times the timeout base (fifteen minutes by
// default) plus four times the video's length: offline engines on CPU run
// around real time.
func (w *SubtitlesWorker) Timeout(job *river.Job[SubtitlesArgs]) time.Duration {
	return w.deps.timeoutBase()*3/2 + time.Duration(job.Args.Duration*4*float64(time.Second))
}

// Work transcribes.
func (w *SubtitlesWorker) Work(ctx context.Context, job *river.Job[SubtitlesArgs]) error {
	id := job.Args.VideoID
	v, err := w.deps.Store.VideoByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("video %s was deleted", id))
	}
	if err != nil {
		return err
	}
	inPipeline := v.Status == store.StatusProcessing
	if !inPipeline && v.Status != store.StatusReady {
		return river.JobCancel(fmt.Errorf("video %s is %s", id, v.Status))
	}
	if inPipeline {
		if _, err := w.deps.Store.SetProgress(ctx, id, store.StageSubtitles, 96); err != nil {
			return err
		}
	}
	status, note, err := w.generate(ctx, v)
	if err != nil {
		if job.Attempt < job.MaxAttempts {
			w.deps.Logger.WarnContext(ctx, "subtitles failed; retrying", "video_id", id, "attempt", job.Attempt, "error", err)
			return err
		}
		w.deps.Logger.ErrorContext(ctx, "subtitles failed", "video_id", id, "error", err)
		status, note = store.SubtitlesFailed, "Subtitles could not be made: "+err.Error()+". The video plays without them; try regenerateSubtitles later."
	}
	if status != store.SubtitlesReady {
		if err := w.deps.Store.SetSubtitlesStatus(ctx, id, status, &note); err != nil {
			return err
		}
	}
	if !inPipeline {
		return nil
	}
	return w.deps.Store.InTx(ctx, func(tx pgx.Tx) error {
		if err := w.deps.Store.MarkReadyTx(ctx, tx, id); err != nil || !job.Args.Preview {
			return err
		}
		_, err := river.ClientFromContext[pgx.Tx](ctx).InsertTx(ctx, tx, PreviewArgs{VideoID: id}, nil)
		return err
	})
}

// generate makes and stores the generated track. It returns the status to
// record (ready, none or failed with a note), or an error worth a retry.
func (w *SubtitlesWorker) generate(ctx context.Context, v store.Video) (string, string, error) {
	// Not prepare: a READY video's subtitles can be regenerated, and a
	// failure here never fails the video (Work records it on the track).
	src, err := openSource(ctx, w.deps, v.ID, false)
	if err != nil {
		return "", "", err
	}
	defer src.release()
	info := src.info
	if info.Audio == nil {
		return store.SubtitlesNone, "The video has no audio track, so it has no subtitles.", nil
	}
	subs, err := media.GenerateSubtitles(ctx, w.deps.Transcriber, src.path, media.GenerateOptions{
		FFmpegPath: w.deps.Tools.FFmpeg, AudioStream: info.Audio.Index, WorkDir: w.deps.WorkDir,
	})
	switch {
	case errors.Is(err, media.ErrNoTranscriber):
		return store.SubtitlesNone, "Subtitles are off on this instance (no transcription engine).", nil
	case errors.Is(err, media.ErrNoSpeech), errors.Is(err, media.ErrNoAudio):
		return store.SubtitlesNone, "No speech was found in the audio, so there are no subtitles.", nil
	case errors.Is(err, media.ErrTranscriberConfig):
		return store.SubtitlesFailed, "Subtitles could not be made: " + err.Error() + " (an administrator must fix the engine's configuration).", nil
	}
	if rej, ok := media.AsReject(err); ok {
		return store.SubtitlesFailed, "Subtitles could not be made: " + rej.Reason, nil
	}
	switch {
	case err != nil:
		return "", "", err
	}
	lang := media.NormalizeLanguage(subs.Language)
	if lang == "" {
		lang = "und"
	}
	existing, err := w.deps.Store.SubtitleTrack(ctx, v.ID, lang)
	if err == nil && existing.Provenance != store.ProvenanceGenerated {
		// The owner's corrections and files are never overwritten.
		return store.SubtitlesReady, "", nil
	}
	engine := w.deps.Transcriber.Name()
	label := media.LanguageName(lang) + " (auto-generated)"
	track := video.Track{Language: lang, Label: label, Provenance: store.ProvenanceGenerated, Engine: &engine}
	// The engine heard the source, the original: an edited video plays
	// its edit, so the track is timed for it (the words stay in the
	// original's time, mapped when read).
	cues := subs.Cues
	st, err := w.deps.Store.EditState(ctx, v.ID)
	if err != nil {
		return "", "", err
	}
	if st.Keep != nil {
		cues = media.EditCues(cues, mediaRanges(st.Keep))
	}
	if err := w.deps.Videos.SaveSubtitles(ctx, v, track, cues); err != nil {
		return "", "", err
	}
	if st.Keep != nil && st.Original != nil {
		// The edit keeps a copy of the original's tracks, which undo and
		// later edits put back: it gets the new track too, whole and in
		// the original's time, or undo would bring back what was
		// regenerated away.
		if err := w.keepOriginalTrack(ctx, v.ID, *st.Original, track, subs.Cues); err != nil {
			return "", "", err
		}
	}
	// The words, with their times, for the studio's transcript.
	if err := w.deps.Videos.SaveWords(ctx, v.ID, lang, subs.Transcript.Words()); err != nil {
		return "", "", err
	}
	return store.SubtitlesReady, "", nil
}

// keepOriginalTrack stores cues (in the original's time) as track of
// edited video id's original, unless the original's track in that
// language is an owner's (edited or uploaded), which a transcription
// never overwrites.
func (w *SubtitlesWorker) keepOriginalTrack(ctx context.Context, id uuid.UUID, o store.EditOriginal, track video.Track, cues []media.Cue) error {
	for _, t := range o.Subtitles {
		if t.Language == track.Language && t.Provenance != store.ProvenanceGenerated {
			return nil
		}
	}
	var vtt bytes.Buffer
	if err := media.WriteWebVTT(&vtt, cues); err != nil {
		return fmt.Errorf("subtitles of %s's original: %w", id, err)
	}
	_, err := w.deps.Store.SetEditOriginalTrack(ctx, id, store.EditTrack{Language: track.Language, Label: track.Label,
		Provenance: track.Provenance, Engine: track.Engine, VTT: vtt.String()})
	return err
}
