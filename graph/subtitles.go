package graph

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/clipcut/clipcut/graph/model"
	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/store"
)

// subtitleInput is a subtitle edit or upload, validated: the language tag
// normalized and the file parsed into cues.
type subtitleInput struct {
	lang string
	cues []media.Cue
}

// parseSubtitleInput validates a subtitle edit or upload; parse reads the
// file, whose field is field.
func parseSubtitleInput(language, field, content string, parse func(io.Reader) ([]media.Cue, error)) (subtitleInput, error) {
	lang, err := subtitleLanguage(language)
	if err != nil {
		return subtitleInput{}, err
	}
	cues, err := parse(strings.NewReader(content))
	if err != nil {
		return subtitleInput{}, subtitleInputError(field, err)
	}
	if len(cues) == 0 {
		return subtitleInput{}, badInput("vtt", "The file has no cues.")
	}
	return subtitleInput{lang: lang, cues: cues}, nil
}

// trackModel is a stored track as the API shows it, with URLs for the
// video's viewer.
func (r *Resolver) trackModel(ctx context.Context, t store.SubtitleTrack) (*model.SubtitleTrack, error) {
	a, err := r.Store.VideoAccessOf(ctx, t.VideoID)
	if err != nil {
		return nil, err
	}
	prefix, _ := r.Media.Prefix(ctx, t.VideoID, a.Privacy, a.PublicID)
	return subtitleTrackAt(prefix, t), nil
}

func subtitleLanguage(s string) (string, error) {
	lang := media.NormalizeLanguage(strings.TrimSpace(s))
	if lang == "" {
		return "", badInput("language", "language must be a language tag such as en or pt-BR.")
	}
	return lang, nil
}

// subtitleInputError reports a malformed subtitle file, naming the line.
func subtitleInputError(field string, err error) error {
	var se *media.SubtitleError
	if errors.As(err, &se) {
		return &inputError{field: field, message: se.Error()}
	}
	return badInput(field, "The subtitles could not be read: %v", err)
}

func subtitleTrackAt(prefix string, t store.SubtitleTrack) *model.SubtitleTrack {
	rel := func(key string) string { return layout.URL(prefix, t.VideoID, key) }
	return &model.SubtitleTrack{
		Language: t.Language, Label: t.Label, Generated: t.Provenance == store.ProvenanceGenerated,
		Provenance: model.SubtitleProvenance(strings.ToUpper(t.Provenance)),
		VttURL:     rel(t.VTTKey), SrtURL: rel(t.SRTKey), UpdatedAt: t.UpdatedAt,
	}
}

// trackWords is a track's words as SubtitleTrack.words shows them: timed
// for the video as it plays now, or nil when the track has none to show.
func (r *Resolver) trackWords(ctx context.Context, t store.SubtitleTrack) ([]*model.Word, error) {
	words, ok, err := r.Videos.TrackWords(ctx, t)
	if err != nil || !ok {
		return nil, err
	}
	out := make([]*model.Word, len(words))
	for i, w := range words {
		out[i] = &model.Word{Start: w.Start.Seconds(), End: w.End.Seconds(), Text: w.Text}
	}
	return out, nil
}
