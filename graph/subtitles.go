package graph

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/graph/model"
	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/store"
)

// ownedVideo returns a video the viewer owns (or any, for administrators).
func (r *Resolver) ownedVideo(ctx context.Context, id uuid.UUID) (store.Video, error) {
	viewer, err := auth.Require(ctx)
	if err != nil {
		return store.Video{}, err
	}
	v, err := r.Store.VideoForViewer(ctx, id, viewer.Store())
	if err != nil {
		return store.Video{}, err
	}
	if v.OwnerID != viewer.UserID && !viewer.IsAdmin {
		return store.Video{}, store.ErrForbidden
	}
	return v, nil
}

// saveTrack stores a track and returns it as the API shows it.
func (r *Resolver) saveTrack(ctx context.Context, v store.Video, lang, label, provenance string, cues []media.Cue) (*model.SubtitleTrack, error) {
	if len(cues) == 0 {
		return nil, badInput("vtt", "The file has no cues.")
	}
	if err := r.Subtitles.Save(ctx, v, lang, label, provenance, nil, cues); err != nil {
		return nil, err
	}
	t, err := r.Store.SubtitleTrack(ctx, v.ID, lang)
	if err != nil {
		return nil, err
	}
	prefix, _ := r.Media.Prefix(ctx, v.ID, v.Privacy)
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
	rel := func(key string) string { return prefix + strings.TrimPrefix(key, "videos/"+t.VideoID.String()) }
	return &model.SubtitleTrack{
		Language: t.Language, Label: t.Label, Generated: t.Provenance == store.ProvenanceGenerated,
		Provenance: model.SubtitleProvenance(strings.ToUpper(t.Provenance)),
		VttURL:     rel(t.VTTKey), SrtURL: rel(t.SRTKey), UpdatedAt: t.UpdatedAt,
	}
}
