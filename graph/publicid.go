package graph

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/graph/model"
	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/store"
)

// videoByRef answers video(id:) and video(publicId:): exactly one of them
// names the video. By id, the store shows an UNLISTED video to its owner
// and administrators only; by public id, to anyone (store.VideoByPublicID).
// The owner is read by the same query when the selection asks for it.
func (r *Resolver) videoByRef(ctx context.Context, id *uuid.UUID, publicID *string, viewer store.Viewer) (*model.Video, error) {
	if (id == nil) == (publicID == nil) {
		return nil, badInput("id", "Give exactly one of id and publicId.")
	}
	if publicID != nil && !layout.IsPublicID(*publicID) {
		return nil, nil // no video has it
	}
	withOwner := selects(ctx, "owner", "Video", "Node")
	var (
		v     store.Video
		owner store.User
		err   error
	)
	switch {
	case publicID != nil && withOwner:
		v, owner, err = r.Store.VideoWithOwnerByPublicID(ctx, *publicID, viewer)
	case publicID != nil:
		v, err = r.Store.VideoByPublicID(ctx, *publicID, viewer)
	case withOwner:
		v, owner, err = r.Store.VideoWithOwnerForViewer(ctx, *id, viewer)
	default:
		v, err = r.Store.VideoForViewer(ctx, *id, viewer)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	m := model.VideoFrom(v)
	if withOwner {
		m.JoinedOwner = model.UserFrom(owner)
	}
	return m, nil
}

// publicIDFor is Video.publicId for the request's viewer: the owner and
// administrators always see it; anyone else only on an UNLISTED video,
// which they can see only because they came through it. A PUBLIC video's
// public id stays hidden from others, so that making it UNLISTED later
// does not share it with everyone who once watched it.
func publicIDFor(ctx context.Context, obj *model.Video) *string {
	pid := obj.Source.PublicID
	if pid == "" {
		return nil
	}
	if obj.Source.Privacy == store.PrivacyUnlisted {
		return &pid
	}
	if v, err := auth.ViewerFrom(ctx); err == nil && v != nil && (v.UserID == obj.OwnerID || v.IsAdmin) {
		return &pid
	}
	return nil
}
