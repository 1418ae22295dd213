package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// TopicPlaybackTokens carries the id of each share link that was revoked,
// or deleted while still valid (with its video), announced by the
// playback_tokens_notify_revoked trigger at commit.
const TopicPlaybackTokens Topic = "clipcut_playback_tokens"

// PlaybackToken is a share link's row: who made it for which video, until
// when, and for which pages. The token itself is never stored.
type PlaybackToken struct {
	ID        uuid.UUID
	VideoID   uuid.UUID
	CreatedBy uuid.UUID
	// AllowedOrigins, when not empty, are the only pages (origins) that
	// may load the link's master playlist.
	AllowedOrigins []string
	CreatedAt      time.Time
	ExpiresAt      time.Time
	RevokedAt      *time.Time
}

const playbackTokenColumns = `t.id, t.video_id, t.created_by, t.allowed_origins, t.created_at, t.expires_at, t.revoked_at`

func scanPlaybackToken(row pgx.Row) (PlaybackToken, error) {
	var p PlaybackToken
	err := row.Scan(&p.ID, &p.VideoID, &p.CreatedBy, &p.AllowedOrigins, &p.CreatedAt, &p.ExpiresAt, &p.RevokedAt)
	return p, err
}

// expiredTokenGrace is how long rows of expired links are kept before
// CreatePlaybackToken drops them with the next link of the same video, or
// the periodic cleanup (DeleteExpiredPlaybackTokens) drops them all.
const expiredTokenGrace = 24 * time.Hour

// DeleteExpiredPlaybackTokens deletes the rows of links that expired
// before the grace ended (their signed expiry refuses them anyway) and
// reports how many.
func (s *Store) DeleteExpiredPlaybackTokens(ctx context.Context, now time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM playback_tokens WHERE expires_at < $1`, now.Add(-expiredTokenGrace))
	if err != nil {
		return 0, fmt.Errorf("delete expired playback links: %w", err)
	}
	return tag.RowsAffected(), nil
}

// CreatePlaybackToken records a share link to a video the viewer owns (or
// any, for administrators), valid until expires. It returns ErrNotFound
// when the viewer cannot see the video and ErrForbidden when they can see
// but not share it. Rows of the video's links expired for a day go at the
// same time, so the table holds live links and little else.
func (s *Store) CreatePlaybackToken(ctx context.Context, videoID uuid.UUID, viewer Viewer, expires time.Time, origins []string) (PlaybackToken, error) {
	if origins == nil {
		origins = []string{}
	}
	var p PlaybackToken
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		p, err = scanPlaybackToken(tx.QueryRow(ctx, `
			INSERT INTO playback_tokens AS t (video_id, created_by, allowed_origins, expires_at)
			SELECT id, $2, $4, $5 FROM videos WHERE id = $1 AND (owner_id = $2 OR $3)
			RETURNING `+playbackTokenColumns,
			uuidArg(videoID), uuidArg(viewer.UserID), viewer.IsAdmin, origins, expires))
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM playback_tokens WHERE video_id = $1 AND expires_at < $2`,
			uuidArg(videoID), time.Now().Add(-expiredTokenGrace))
		return err
	})
	if err != nil {
		return PlaybackToken{}, fmt.Errorf("create playback token for %s: %w", videoID, s.ownershipError(ctx, videoID, viewer, err))
	}
	return p, nil
}

// PlaybackTokens returns a video the viewer owns (or any, for
// administrators) and its live (neither revoked nor expired) share links,
// newest first.
// Errors as CreatePlaybackToken.
func (s *Store) PlaybackTokens(ctx context.Context, videoID uuid.UUID, viewer Viewer) (Video, []PlaybackToken, error) {
	v, err := s.VideoForViewer(ctx, videoID, viewer)
	if err != nil {
		return Video{}, nil, fmt.Errorf("playback tokens: %w", err)
	}
	if v.OwnerID != viewer.UserID && !viewer.IsAdmin {
		return Video{}, nil, fmt.Errorf("playback tokens of %s: %w", videoID, ErrForbidden)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+playbackTokenColumns+` FROM playback_tokens t
		WHERE t.video_id = $1 AND t.revoked_at IS NULL AND t.expires_at > now()
		ORDER BY t.created_at DESC, t.id DESC`, uuidArg(videoID))
	if err != nil {
		return Video{}, nil, fmt.Errorf("playback tokens of %s: %w", videoID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (PlaybackToken, error) { return scanPlaybackToken(r) })
	if err != nil {
		return Video{}, nil, fmt.Errorf("playback tokens of %s: %w", videoID, err)
	}
	return v, out, nil
}

// RevokePlaybackToken revokes a share link of a video the viewer owns (or
// any, for administrators). Revoking a revoked link again succeeds; a link
// the viewer may not revoke, or that does not exist, is ErrNotFound (its
// existence is not revealed).
func (s *Store) RevokePlaybackToken(ctx context.Context, id uuid.UUID, viewer Viewer) error {
	var revoked time.Time
	err := s.pool.QueryRow(ctx, `
		UPDATE playback_tokens t SET revoked_at = coalesce(t.revoked_at, now())
		FROM videos v
		WHERE t.id = $1 AND v.id = t.video_id AND (v.owner_id = $2 OR $3)
		RETURNING t.revoked_at`, uuidArg(id), uuidArg(viewer.UserID), viewer.IsAdmin).Scan(&revoked)
	if err != nil {
		return fmt.Errorf("revoke playback token %s: %w", id, notFound(err))
	}
	return nil
}

// PlaybackTokenState returns a share link's row whatever its state, for
// media delivery to check it: ErrNotFound once it is gone.
func (s *Store) PlaybackTokenState(ctx context.Context, id uuid.UUID) (PlaybackToken, error) {
	p, err := scanPlaybackToken(s.pool.QueryRow(ctx, `SELECT `+playbackTokenColumns+` FROM playback_tokens t WHERE t.id = $1`, uuidArg(id)))
	if err != nil {
		return PlaybackToken{}, fmt.Errorf("playback token %s: %w", id, notFound(err))
	}
	return p, nil
}

// SubscribePlaybackTokenRevocations calls revoked with the id of each share
// link revoked or deleted, in any process, until unsubscribe is called.
// When listening reports missed, revocations may have been lost, so a
// cache of links' states drops every entry. Both run on the notifier's
// goroutine and must not block.
func (n *Notifier) SubscribePlaybackTokenRevocations(listening func(missed bool), revoked func(id uuid.UUID)) (unsubscribe func()) {
	return n.subscribeIDs(TopicPlaybackTokens, listening, revoked)
}
