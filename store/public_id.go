package store

import (
	"context"
	"fmt"

	"github.com/google/uuid"
)

// A video's public id (Video.PublicID) is how an UNLISTED video is shared:
// 128 random bits in unpadded base64url, made by the database
// (clipcut_public_id, migration 0025). The video id is no secret (it is in
// webhooks, REST answers and the owner's pages), so it opens an UNLISTED
// video only to its owner and administrators (visibleTo); everyone else
// comes through the public id, which the owner can replace at any time.

// sharedAs is visibleTo for a video reached through its public id: PUBLIC
// and UNLISTED videos to anyone, PRIVATE ones only to their owner and
// administrators, with the same moderation rules.
const sharedAs = `($%[2]d OR NOT owner_disabled AND (owner_id = $%[1]d OR privacy <> 'PRIVATE' AND taken_down_at IS NULL))`

// VideoByPublicID returns the video whose public id is publicID if the
// viewer may see it through that id, or ErrNotFound.
func (s *Store) VideoByPublicID(ctx context.Context, publicID string, viewer Viewer) (Video, error) {
	v, err := scanVideo(s.pool.QueryRow(ctx,
		`SELECT `+videoColumns+` FROM videos WHERE public_id = $1 AND `+fmt.Sprintf(sharedAs, 2, 3),
		publicID, uuidArg(viewer.UserID), viewer.IsAdmin))
	if err != nil {
		return Video{}, fmt.Errorf("video by public id: %w", notFound(err))
	}
	return v, nil
}

// VideoWithOwnerByPublicID is VideoByPublicID that also returns the
// video's owner, read by the same query.
func (s *Store) VideoWithOwnerByPublicID(ctx context.Context, publicID string, viewer Viewer) (Video, User, error) {
	v, u, err := scanVideoWithOwner(s.pool.QueryRow(ctx,
		withOwner(`SELECT `+videoColumns+` FROM videos WHERE public_id = $1 AND `+fmt.Sprintf(sharedAs, 2, 3), ""),
		publicID, uuidArg(viewer.UserID), viewer.IsAdmin))
	if err != nil {
		return Video{}, User{}, fmt.Errorf("video by public id: %w", notFound(err))
	}
	return v, u, nil
}

// RotatePublicID gives a video the viewer owns (or any, for
// administrators) a fresh public id and returns the updated row; links
// made with the old one stop working. The change is announced on
// TopicPrivacy at commit (the videos_notify_privacy trigger), so every
// process's media delivery forgets the old id at once. ErrNotFound when
// the viewer cannot see the video, ErrForbidden when they cannot change
// it.
func (s *Store) RotatePublicID(ctx context.Context, id uuid.UUID, viewer Viewer) (Video, error) {
	v, err := scanVideo(s.pool.QueryRow(ctx, `
		UPDATE videos SET public_id = clipcut_public_id(), updated_at = now()
		WHERE id = $1 AND (owner_id = $2 OR $3)
		RETURNING `+videoColumns,
		uuidArg(id), uuidArg(viewer.UserID), viewer.IsAdmin))
	if err != nil {
		return Video{}, fmt.Errorf("rotate public id %s: %w", id, s.ownershipError(ctx, id, viewer, err))
	}
	return v, nil
}

// VideoAccess is what media delivery needs to know of a video: its
// privacy and public id.
type VideoAccess struct {
	Privacy  string
	PublicID string
}

// VideoAccessOf returns a video's privacy and public id, or ErrNotFound
// (also for a video taken down or of a disabled account, whose media
// nobody gets).
func (s *Store) VideoAccessOf(ctx context.Context, id uuid.UUID) (VideoAccess, error) {
	var a VideoAccess
	if err := s.pool.QueryRow(ctx, `SELECT privacy, public_id FROM videos WHERE id = $1 AND `+notModerated,
		uuidArg(id)).Scan(&a.Privacy, &a.PublicID); err != nil {
		return VideoAccess{}, fmt.Errorf("video access %s: %w", id, notFound(err))
	}
	return a, nil
}

// VideoIDByPublicID returns the id of the video whose current public id
// is publicID, or ErrNotFound (also for a video taken down or of a
// disabled account). Media delivery resolves the public id form of media
// URLs (layout.PublicIDPath) with it; whether the video may be served is
// VideoAccessOf's answer.
func (s *Store) VideoIDByPublicID(ctx context.Context, publicID string) (uuid.UUID, error) {
	var id uuid.UUID
	if err := s.pool.QueryRow(ctx, `SELECT id FROM videos WHERE public_id = $1 AND `+notModerated,
		publicID).Scan(&id); err != nil {
		return uuid.Nil, fmt.Errorf("video by public id: %w", notFound(err))
	}
	return id, nil
}
