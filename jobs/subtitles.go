package jobs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/storage"
	"github.com/clipcut/clipcut/store"
)

// SubtitlesArgs makes a video's subtitles from its speech.
type SubtitlesArgs struct {
	VideoID uuid.UUID `json:"video_id"`
	// Duration (seconds) sizes the timeout.
	Duration float64 `json:"duration"`
}

// Kind is the job's stable name.
func (SubtitlesArgs) Kind() string { return "subtitles" }

// InsertOpts: transcription is CPU-bound, so it runs on the media queue.
func (SubtitlesArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMedia, MaxAttempts: 3}
}

// SubtitlesWorker transcribes the audio with the instance's engine, stores
// the generated track (WebVTT, SRT, and the HLS subtitles group), and then,
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
	return w.deps.Store.InTx(ctx, func(tx pgx.Tx) error { return w.deps.Store.MarkReadyTx(ctx, tx, id) })
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
	if err := w.deps.Subtitles().Save(ctx, v, lang, label, store.ProvenanceGenerated, &engine, subs.Cues); err != nil {
		return "", "", err
	}
	return store.SubtitlesReady, "", nil
}

// SubtitleWriter stores subtitle tracks: the WebVTT and SRT files, the HLS
// subtitles playlist, the cues for search, and a master playlist that
// lists every track. The subtitles job and the GraphQL edits share it.
type SubtitleWriter struct {
	Store *store.Store
	Media storage.Bucket
}

// Save stores a track of v's and republishes its master playlist.
//
// Subtitle files are served as immutable (a year in every cache), so each
// version gets names of its own: <lang>.<first 10 hex digits of the
// WebVTT's SHA-256>.vtt and likewise for the SRT and the HLS files. The
// master playlist (cached ten seconds) and the track's URLs move to the
// new names, and the previous version's files are removed once nothing
// points at them.
func (sw *SubtitleWriter) Save(ctx context.Context, v store.Video, lang, label, provenance string, engine *string, cues []media.Cue) error {
	var vtt, srt, hlsVTT, hlsPlaylist bytes.Buffer
	if err := media.WriteWebVTT(&vtt, cues); err != nil {
		return err
	}
	sum := sha256.Sum256(vtt.Bytes())
	name := lang + "." + hex.EncodeToString(sum[:5])
	prefix := VideoPrefix(v.ID)
	vttKey := prefix + "/subtitles/" + name + ".vtt"
	srtKey := prefix + "/subtitles/" + name + ".srt"
	hlsVTTKey := hlsPrefix(v.ID) + "/subs/" + name + ".vtt"
	hlsPlaylistKey := hlsPrefix(v.ID) + "/subs/" + name + ".m3u8"
	previous, err := sw.Store.SubtitleTrack(ctx, v.ID, lang)
	switch {
	case errors.Is(err, store.ErrNotFound):
		previous = store.SubtitleTrack{}
	case err != nil:
		return err
	}
	if err := media.WriteSRT(&srt, cues); err != nil {
		return err
	}
	start := 0.0
	if len(v.Renditions) > 0 {
		start = v.Renditions[0].StartTime
	}
	if err := media.WriteSubtitleVTTForHLS(&hlsVTT, cues, time.Duration(start*float64(time.Second))); err != nil {
		return err
	}
	// The playlist spans the video; a video not probed yet spans its cues.
	duration := 0.0
	if v.Duration != nil {
		duration = *v.Duration
	}
	for _, c := range cues {
		duration = max(duration, c.End.Seconds())
	}
	if err := media.WriteSubtitlePlaylist(&hlsPlaylist, name+".vtt", duration); err != nil {
		return err
	}
	for _, f := range []struct {
		key, ct string
		body    *bytes.Buffer
	}{
		{vttKey, "text/vtt; charset=utf-8", &vtt},
		{srtKey, "application/x-subrip; charset=utf-8", &srt},
		{hlsVTTKey, "text/vtt; charset=utf-8", &hlsVTT},
		{hlsPlaylistKey, "application/vnd.apple.mpegurl", &hlsPlaylist},
	} {
		if err := sw.Media.Put(ctx, f.key, bytes.NewReader(f.body.Bytes()), int64(f.body.Len()), f.ct); err != nil {
			return err
		}
	}
	stored := make([]store.SubtitleCue, len(cues))
	for i, c := range cues {
		stored[i] = store.SubtitleCue{Start: c.Start, End: c.End, Text: media.PlainText(c.Text)}
	}
	if err := sw.Store.PutSubtitleTrack(ctx, store.SubtitleTrack{VideoID: v.ID, Language: lang, Label: label,
		Provenance: provenance, Engine: engine, VTTKey: vttKey, SRTKey: srtKey}, stored); err != nil {
		return err
	}
	if err := sw.republishMaster(ctx, v); err != nil {
		return err
	}
	if previous.VTTKey == "" || previous.VTTKey == vttKey {
		return nil
	}
	// The old version is unreferenced now. A failure here leaves only
	// unreachable files, which the video's deletion removes with the rest.
	old := trackName(previous.VTTKey)
	for _, key := range []string{previous.VTTKey, previous.SRTKey,
		hlsPrefix(v.ID) + "/subs/" + old + ".vtt", hlsPrefix(v.ID) + "/subs/" + old + ".m3u8"} {
		if err := sw.Media.Delete(ctx, key); err != nil {
			return fmt.Errorf("remove previous subtitles %s: %w", key, err)
		}
	}
	return nil
}

// trackName is a track's file name without extension ("en.0a1b2c3d4e",
// or "en" for tracks stored before names were versioned), from its
// WebVTT key; the HLS files share it.
func trackName(vttKey string) string {
	return strings.TrimSuffix(path.Base(vttKey), ".vtt")
}

// republishMaster rewrites the master playlist with every subtitle track.
func (sw *SubtitleWriter) republishMaster(ctx context.Context, v store.Video) error {
	if len(v.Renditions) == 0 {
		return nil // not transcoded yet; the transcode writes the master
	}
	tracks, err := sw.Store.SubtitleTracksByVideos(ctx, []uuid.UUID{v.ID})
	if err != nil {
		return err
	}
	var subs []media.SubtitleTrack
	for _, t := range tracks[v.ID] {
		subs = append(subs, media.SubtitleTrack{Name: t.Label, Language: t.Language, URI: "subs/" + trackName(t.VTTKey) + ".m3u8"})
	}
	results := make([]media.RenditionResult, len(v.Renditions))
	for i, r := range v.Renditions {
		results[i] = media.RenditionResult{Name: r.Name, URI: r.Name + "/" + media.MediaPlaylistName, Width: r.Width, Height: r.Height,
			FrameRate: r.FrameRate, Bandwidth: r.Bandwidth, AverageBandwidth: r.AverageBandwidth, Codecs: r.Codecs, StartTime: r.StartTime}
	}
	var buf bytes.Buffer
	if err := media.WriteMasterPlaylist(&buf, results, subs); err != nil {
		return err
	}
	return sw.Media.Put(ctx, MasterPlaylistKey(v.ID), io.Reader(&buf), int64(buf.Len()), "application/vnd.apple.mpegurl")
}
