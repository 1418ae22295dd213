package video

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/store"
)

// Track describes a subtitle track to save.
type Track struct {
	// Language is a normalized language tag ("en", "pt-BR", "und").
	Language string
	Label    string
	// Provenance is store.ProvenanceGenerated, ProvenanceEdited or
	// ProvenanceUploaded.
	Provenance string
	// Engine names the transcriber of a generated track.
	Engine *string
}

// generatedSuffix ends the label of a generated track.
const generatedSuffix = " (auto-generated)"

// MaxLabelLength is the longest track label, in characters.
const MaxLabelLength = 80

// CheckLabel reports, in words for the person who typed it, why label
// cannot name a subtitle track, or nil. The label becomes the master
// playlist's NAME="..." attribute, an HLS quoted-string, which has no
// escapes and cannot hold a double quote, CR or LF (RFC 8216, 4.2); other
// control characters would reach every player's track menu, so they are
// refused too.
func CheckLabel(label string) error {
	switch {
	case label == "":
		return errors.New("label must not be empty.")
	case !utf8.ValidString(label):
		return errors.New("label must be valid UTF-8.")
	case utf8.RuneCountInString(label) > MaxLabelLength:
		return fmt.Errorf("label must be at most %d characters.", MaxLabelLength)
	case strings.ContainsRune(label, '"'):
		return errors.New(`label must not contain double quotes ("); use ' or “ ” instead.`)
	}
	for _, r := range label {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return errors.New("label must be one line without control characters.")
		}
	}
	return nil
}

// checkTrack validates a track before anything of it is written.
func checkTrack(t Track) error {
	// The language names files and the playlist's LANGUAGE attribute.
	if t.Language == "" || len(t.Language) > 35 || strings.IndexFunc(t.Language, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-')
	}) >= 0 {
		return fmt.Errorf("save subtitles: invalid language %q", t.Language)
	}
	if err := CheckLabel(t.Label); err != nil {
		return fmt.Errorf("save subtitles: label %q: %w", t.Label, err)
	}
	return nil
}

// EditSubtitles replaces the cues of one of the viewer's tracks (or
// starts one) with an owner's edit and returns the stored track. An edit
// of a generated track becomes EDITED and loses the "(auto-generated)"
// label; an uploaded track stays UPLOADED.
func (s *Service) EditSubtitles(ctx context.Context, id uuid.UUID, viewer store.Viewer, lang string, cues []media.Cue) (store.SubtitleTrack, error) {
	v, err := s.owned(ctx, id, viewer)
	if err != nil {
		return store.SubtitleTrack{}, err
	}
	t := Track{Language: lang, Label: media.LanguageName(lang), Provenance: store.ProvenanceEdited}
	if existing, err := s.store.SubtitleTrack(ctx, id, lang); err == nil {
		// A label stored before labels were checked keeps its track
		// editable: it gives way to the language's name.
		if label := strings.TrimSuffix(existing.Label, generatedSuffix); CheckLabel(label) == nil {
			t.Label = label
		}
		if existing.Provenance == store.ProvenanceUploaded {
			t.Provenance = store.ProvenanceUploaded
		}
	}
	return s.saveOwned(ctx, v, t, cues)
}

// UploadSubtitles stores an owner's subtitle file as the video's track in
// lang, labelled label ("": the language's name), and returns it. A label
// that CheckLabel refuses is an error and nothing is written.
func (s *Service) UploadSubtitles(ctx context.Context, id uuid.UUID, viewer store.Viewer, lang, label string, cues []media.Cue) (store.SubtitleTrack, error) {
	v, err := s.owned(ctx, id, viewer)
	if err != nil {
		return store.SubtitleTrack{}, err
	}
	if label == "" {
		label = media.LanguageName(lang)
	}
	return s.saveOwned(ctx, v, Track{Language: lang, Label: label, Provenance: store.ProvenanceUploaded}, cues)
}

func (s *Service) saveOwned(ctx context.Context, v store.Video, t Track, cues []media.Cue) (store.SubtitleTrack, error) {
	if err := s.SaveSubtitles(ctx, v, t, cues); err != nil {
		return store.SubtitleTrack{}, err
	}
	return s.store.SubtitleTrack(ctx, v.ID, t.Language)
}

// RegenerateSubtitles transcribes a READY video of the viewer's again: its
// subtitle state becomes pending and the subtitles job is queued, in one
// transaction. It returns the video as it is now; a video that is not
// READY gives a *StateError.
func (s *Service) RegenerateSubtitles(ctx context.Context, id uuid.UUID, viewer store.Viewer) (store.Video, error) {
	v, err := s.owned(ctx, id, viewer)
	if err != nil {
		return store.Video{}, err
	}
	if v.Status != store.StatusReady {
		return store.Video{}, &StateError{Status: v.Status,
			Message: fmt.Sprintf("The video is %s; subtitles can be made again once it is READY.", v.Status)}
	}
	duration := 0.0
	if v.Duration != nil {
		duration = *v.Duration
	}
	err = s.store.InTx(ctx, func(tx pgx.Tx) error {
		if err := s.queue.SubtitlesTx(ctx, tx, id, duration); err != nil {
			return fmt.Errorf("regenerate subtitles %s: %w", id, err)
		}
		// Set before the job commits, so the job never finishes first.
		return s.store.SetSubtitlesStatus(ctx, id, store.SubtitlesPending, nil)
	})
	if err != nil {
		return store.Video{}, err
	}
	v.SubtitlesStatus, v.SubtitlesNote = store.SubtitlesPending, nil
	return v, nil
}

// SaveSubtitles stores a track of v's (the WebVTT and SRT files, the HLS
// subtitles playlist, the cues for search) and republishes v's master
// playlist so that it lists every track. The subtitles job and owners'
// edits share it.
//
// Subtitle files are served as immutable (a year in every cache), so each
// version gets names of its own: <lang>.<first 10 hex digits of the
// WebVTT's SHA-256>.vtt and likewise for the SRT and the HLS files. The
// master playlist (cached ten seconds) and the track's URLs move to the
// new names, and the previous version's files are removed once nothing
// points at them.
//
// Everything that can be refused is checked before the first write, and
// the writes go in an order in which a failure leaves nothing pointing at
// what is missing: the new files (under names nothing references yet),
// then the row, then the master playlist. The master's subtitle names come
// from rows, so a stored value never stops it from being written (see
// media.WriteMasterPlaylist).
func (s *Service) SaveSubtitles(ctx context.Context, v store.Video, t Track, cues []media.Cue) error {
	if err := checkTrack(t); err != nil {
		return err
	}
	var vtt, srt, hlsVTT, hlsPlaylist bytes.Buffer
	if err := media.WriteWebVTT(&vtt, cues); err != nil {
		return err
	}
	sum := sha256.Sum256(vtt.Bytes())
	name := t.Language + "." + hex.EncodeToString(sum[:5])
	vttKey := layout.Subtitles(v.ID, name+".vtt")
	srtKey := layout.Subtitles(v.ID, name+".srt")
	hlsVTTKey := layout.HLSSubtitles(v.ID, name+".vtt")
	hlsPlaylistKey := layout.HLSSubtitles(v.ID, name+".m3u8")
	previous, err := s.store.SubtitleTrack(ctx, v.ID, t.Language)
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
		if err := s.media.Put(ctx, f.key, bytes.NewReader(f.body.Bytes()), int64(f.body.Len()), f.ct); err != nil {
			return err
		}
	}
	stored := make([]store.SubtitleCue, len(cues))
	for i, c := range cues {
		stored[i] = store.SubtitleCue{Start: c.Start, End: c.End, Text: media.PlainText(c.Text)}
	}
	if err := s.store.PutSubtitleTrack(ctx, store.SubtitleTrack{VideoID: v.ID, Language: t.Language, Label: t.Label,
		Provenance: t.Provenance, Engine: t.Engine, VTTKey: vttKey, SRTKey: srtKey}, stored); err != nil {
		return err
	}
	if err := s.republishMaster(ctx, v); err != nil {
		return err
	}
	if previous.VTTKey == "" || previous.VTTKey == vttKey {
		return nil
	}
	// The old version is unreferenced now. The save has succeeded, so a
	// failure here is not reported as its failure: it leaves only
	// unreachable files, which the video's deletion removes with the rest.
	old := trackName(previous.VTTKey)
	for _, key := range []string{previous.VTTKey, previous.SRTKey,
		layout.HLSSubtitles(v.ID, old+".vtt"), layout.HLSSubtitles(v.ID, old+".m3u8")} {
		_ = s.media.Delete(ctx, key)
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
func (s *Service) republishMaster(ctx context.Context, v store.Video) error {
	if len(v.Renditions) == 0 {
		return nil // not transcoded yet; the transcode writes the master
	}
	tracks, err := s.store.SubtitleTracksByVideos(ctx, []uuid.UUID{v.ID})
	if err != nil {
		return err
	}
	var subs []media.SubtitleTrack
	for _, t := range tracks[v.ID] {
		// The master's URIs are relative to HLSPrefix, where it lives.
		uri := strings.TrimPrefix(layout.HLSSubtitles(v.ID, trackName(t.VTTKey)+".m3u8"), layout.HLSPrefix(v.ID)+"/")
		subs = append(subs, media.SubtitleTrack{Name: t.Label, Language: t.Language, URI: uri})
	}
	results := make([]media.RenditionResult, len(v.Renditions))
	for i, r := range v.Renditions {
		// An edited video's renditions play the edit's playlists.
		uri, ok := strings.CutPrefix(r.Playlist, layout.HLSPrefix(v.ID)+"/")
		if !ok {
			uri = r.Name + "/" + media.MediaPlaylistName
		}
		results[i] = media.RenditionResult{Name: r.Name, URI: uri, Width: r.Width, Height: r.Height,
			FrameRate: r.FrameRate, Bandwidth: r.Bandwidth, AverageBandwidth: r.AverageBandwidth, Codecs: r.Codecs, StartTime: r.StartTime}
	}
	var buf bytes.Buffer
	if err := media.WriteMasterPlaylist(&buf, results, subs); err != nil {
		return err
	}
	return s.media.Put(ctx, layout.Master(v.ID), &buf, int64(buf.Len()), "application/vnd.apple.mpegurl")
}
