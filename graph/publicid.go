package graph

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"

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

// A stranger who opened an UNLISTED video through its public id must not
// learn its video id (which names it in webhooks, REST and the owner's
// pages, and would outlive a rotatePublicId). Video.id and
// VideoProgress.videoId, typed ID (a UUID), show them the public id in
// UUID form instead: its 16 bytes, which node(id:) maps back.

// publicIDAsUUID is public id pid in UUID form; false when pid is not one.
func publicIDAsUUID(pid string) (uuid.UUID, bool) {
	if !layout.IsPublicID(pid) {
		return uuid.Nil, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(pid)
	if err != nil || len(b) != 16 {
		return uuid.Nil, false
	}
	return uuid.UUID(b), true
}

// uuidAsPublicID is the public id whose UUID form is id.
func uuidAsPublicID(id uuid.UUID) string { return base64.RawURLEncoding.EncodeToString(id[:]) }

// shownVideoID is the id viewer is shown for v: its public id in UUID form
// when v is UNLISTED and viewer is neither its owner nor an administrator
// (who can only have reached it through the public id), its video id
// otherwise.
func shownVideoID(v store.Video, viewer store.Viewer) uuid.UUID {
	if v.Privacy != store.PrivacyUnlisted || viewer.IsAdmin || (viewer.UserID != uuid.Nil && viewer.UserID == v.OwnerID) {
		return v.ID
	}
	if id, ok := publicIDAsUUID(v.PublicID); ok {
		return id
	}
	return v.ID
}

// videoIDFor is Video.id for the request's viewer (see shownVideoID).
func videoIDFor(ctx context.Context, obj *model.Video) uuid.UUID {
	var viewer store.Viewer
	if v, err := auth.ViewerFrom(ctx); err == nil && v != nil {
		viewer = v.Store()
	}
	return shownVideoID(obj.Source, viewer)
}

// nodeByPublicID is node(id:) for an id that names no video and no user:
// a public id in UUID form (what a stranger reads as an UNLISTED video's
// id) opens the video as video(publicId:) would.
func (r *Resolver) nodeByPublicID(ctx context.Context, id uuid.UUID, viewer store.Viewer) (model.Node, error) {
	pid := uuidAsPublicID(id)
	v, err := r.Store.VideoByPublicID(ctx, pid, viewer)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return model.VideoFrom(v), nil
}

// progressRef names the video a videoProgress subscription follows: by
// id or by public id, read with the subscriber's visibility.
type progressRef struct {
	id       uuid.UUID
	publicID string // set when subscribed by public id
}

// progressRefOf checks videoProgress's arguments: exactly one of them.
func progressRefOf(id *uuid.UUID, publicID *string) (progressRef, error) {
	if (id == nil) == (publicID == nil) {
		return progressRef{}, badInput("id", "Give exactly one of id and publicId.")
	}
	if publicID != nil {
		return progressRef{publicID: *publicID}, nil
	}
	return progressRef{id: *id}, nil
}

// read returns the video as viewer may see it through ref: a public id
// that is not (or no longer) the video's reads as an unknown video.
func (ref progressRef) read(ctx context.Context, s *store.Store, viewer store.Viewer) (store.Video, error) {
	if ref.publicID == "" {
		return s.VideoForViewer(ctx, ref.id, viewer)
	}
	if !layout.IsPublicID(ref.publicID) {
		return store.Video{}, fmt.Errorf("video by public id: %w", store.ErrNotFound)
	}
	return s.VideoByPublicID(ctx, ref.publicID, viewer)
}
