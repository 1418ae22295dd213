package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Chapter is one chapter of a video: where it starts, in seconds, and its
// title. Stored as JSON in videos.chapters.
type Chapter struct {
	Start float64 `json:"start"`
	Title string  `json:"title"`
}

// SetChapters stores the chapters of a video the viewer owns (or any, for
// administrators) and returns the row. nil clears them, so the
// description's timestamp lines count again; an empty, non-nil slice
// means "no chapters" whatever the description says.
func (s *Store) SetChapters(ctx context.Context, id uuid.UUID, viewer Viewer, chapters []Chapter) (Video, error) {
	// A nil slice would be sent as the JSON value null, not SQL NULL.
	var arg any
	if chapters != nil {
		arg = chapters
	}
	v, err := scanVideo(s.pool.QueryRow(ctx, `
		UPDATE videos SET chapters = $4, updated_at = now()
		WHERE id = $1 AND (owner_id = $2 OR $3)
		RETURNING `+videoColumns,
		uuidArg(id), uuidArg(viewer.UserID), viewer.IsAdmin, arg))
	if err != nil {
		return Video{}, fmt.Errorf("set chapters of %s: %w", id, s.ownershipError(ctx, id, viewer, err))
	}
	return v, nil
}

// ReplacePoster points a video's poster at key and returns the key it
// replaces (nil when it had none). A video that is gone gives ErrNotFound.
func (s *Store) ReplacePoster(ctx context.Context, id uuid.UUID, key string) (*string, error) {
	var old *string
	err := s.pool.QueryRow(ctx, `
		UPDATE videos v SET poster_key = $2, updated_at = now()
		FROM (SELECT id, poster_key FROM videos WHERE id = $1 FOR UPDATE) prev
		WHERE v.id = prev.id
		RETURNING prev.poster_key`, uuidArg(id), key).Scan(&old)
	if err != nil {
		return nil, fmt.Errorf("replace poster of %s: %w", id, notFound(err))
	}
	return old, nil
}

// StageClip is the stage of a clip whose source is being cut.
const StageClip = "clip"

// MarkClipTx records in tx that video id is a clip of parent, being cut,
// and returns the video as tx leaves it (the clip job may change it as
// soon as tx commits).
func (s *Store) MarkClipTx(ctx context.Context, tx pgx.Tx, id, parent uuid.UUID) (Video, error) {
	v, err := scanVideo(tx.QueryRow(ctx, `UPDATE videos SET clip_of = $2, stage = 'clip', updated_at = now()
		WHERE id = $1 RETURNING `+videoColumns, uuidArg(id), uuidArg(parent)))
	if err != nil {
		return Video{}, fmt.Errorf("mark clip %s: %w", id, notFound(err))
	}
	return v, nil
}

// ClipOf returns the video video id was clipped from: nil for an upload,
// or once the parent is deleted.
func (s *Store) ClipOf(ctx context.Context, id uuid.UUID) (*uuid.UUID, error) {
	var parent *uuid.UUID
	if err := s.pool.QueryRow(ctx, `SELECT clip_of FROM videos WHERE id = $1`, uuidArg(id)).Scan(&parent); err != nil {
		return nil, fmt.Errorf("clip of %s: %w", id, notFound(err))
	}
	return parent, nil
}

// StageEdit is the stage of a READY video while an edit of it is made
// (editVideo); it stays playable, as it was, until the edit is published.
const StageEdit = "edit"

// TimeRange is [Start, End) in seconds.
type TimeRange struct {
	Start float64 `json:"start"`
	End   float64 `json:"end"`
}

// EditOriginal is a video as it was before its first edit: what every
// later edit is made from and what undo restores.
type EditOriginal struct {
	Duration      *float64    `json:"duration"`
	Renditions    []Rendition `json:"renditions"`
	Downloads     []Download  `json:"downloads"`
	StoryboardKey *string     `json:"storyboard_key"`
	// Chapters are the ones set with setChapters; nil: the description's.
	Chapters  []Chapter   `json:"chapters"`
	Subtitles []EditTrack `json:"subtitles"`
}

// EditTrack is a subtitle track of the original: its row and its WebVTT.
type EditTrack struct {
	Language   string  `json:"language"`
	Label      string  `json:"label"`
	Provenance string  `json:"provenance"`
	Engine     *string `json:"engine,omitempty"`
	VTT        string  `json:"vtt"`
}

// EditState is where a video's editing stands.
type EditState struct {
	// Seq numbers the latest edit asked for.
	Seq int64
	// Keep is the published edit; nil when the video is unedited.
	Keep []TimeRange
	// Original is the video before its first edit; nil when unedited.
	Original *EditOriginal
	// Keys are the storage keys of the published edit's own objects.
	Keys []string
}

// EditState returns video id's edit state.
func (s *Store) EditState(ctx context.Context, id uuid.UUID) (EditState, error) {
	var st EditState
	err := s.pool.QueryRow(ctx, `SELECT edit_seq, edit, edit_original, edit_keys FROM videos WHERE id = $1`,
		uuidArg(id)).Scan(&st.Seq, &st.Keep, &st.Original, &st.Keys)
	if err != nil {
		return EditState{}, fmt.Errorf("edit state of %s: %w", id, notFound(err))
	}
	return st, nil
}

// Edits returns the published edits of the videos among ids that have
// one (Video.edit).
func (s *Store) Edits(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]TimeRange, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, edit FROM videos WHERE id = ANY($1) AND edit IS NOT NULL`, uuidArgs(ids))
	if err != nil {
		return nil, fmt.Errorf("edits: %w", err)
	}
	out := map[uuid.UUID][]TimeRange{}
	for rows.Next() {
		var id uuid.UUID
		var keep []TimeRange
		if err := rows.Scan(&id, &keep); err != nil {
			rows.Close()
			return nil, fmt.Errorf("edits: %w", err)
		}
		out[id] = keep
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("edits: %w", err)
	}
	return out, nil
}

// RequestEditTx numbers a new edit of READY video id in tx and moves the
// video to stage "edit"; any edit asked for before it is superseded. A
// video that is gone or not READY gives ErrNotFound.
func (s *Store) RequestEditTx(ctx context.Context, tx pgx.Tx, id uuid.UUID) (int64, error) {
	var seq int64
	err := tx.QueryRow(ctx, `
		UPDATE videos SET edit_seq = edit_seq + 1, stage = 'edit', percent = 0, updated_at = now()
		WHERE id = $1 AND status = 'READY'
		RETURNING edit_seq`, uuidArg(id)).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("request edit of %s: %w", id, notFound(err))
	}
	return seq, nil
}

// SetEditProgress records the progress of edit seq of video id; false
// when that edit is superseded or the video is gone.
func (s *Store) SetEditProgress(ctx context.Context, id uuid.UUID, seq int64, percent float64) (bool, error) {
	tag, err := s.pool.Exec(ctx, `
		UPDATE videos SET percent = $3, updated_at = now()
		WHERE id = $1 AND edit_seq = $2 AND status = 'READY' AND percent IS DISTINCT FROM $3`,
		uuidArg(id), seq, clampPercent(percent))
	if err != nil {
		return false, fmt.Errorf("edit progress of %s: %w", id, err)
	}
	if tag.RowsAffected() == 1 {
		return true, nil
	}
	var current int64
	if err := s.pool.QueryRow(ctx, `SELECT edit_seq FROM videos WHERE id = $1 AND status = 'READY'`, uuidArg(id)).Scan(&current); err != nil {
		return false, nil
	}
	return current == seq, nil
}

// EndEdit ends the stage "edit" of video id when edit seq is still the
// latest (an edit that failed: the video stays as it was).
func (s *Store) EndEdit(ctx context.Context, id uuid.UUID, seq int64) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE videos SET stage = 'done', percent = 100, updated_at = now()
		WHERE id = $1 AND edit_seq = $2 AND stage = 'edit'`, uuidArg(id), seq)
	if err != nil {
		return fmt.Errorf("end edit of %s: %w", id, err)
	}
	return nil
}

// PublishedEdit is what publishing an edit (or undoing one) writes.
type PublishedEdit struct {
	// Keep is the edit; nil for undo.
	Keep []TimeRange
	// Original is the video before its first edit; nil for undo.
	Original *EditOriginal
	// Keys are the edit's own objects.
	Keys          []string
	Duration      *float64
	Renditions    []Rendition
	Downloads     []Download
	StoryboardKey *string
	Chapters      []Chapter
}

// EditWebhookEvent is the webhook event type of a published edit.
const EditWebhookEvent = "video.edited"

// PublishEditTx records edit seq of video id in tx when it is still the
// latest asked for and the video is READY, and returns the keys of the
// edit it replaces; the video stays at stage "edit" until FinishEditTx.
// ok is false (and nothing changes) when the edit is superseded or the
// video gone.
func (s *Store) PublishEditTx(ctx context.Context, tx pgx.Tx, id uuid.UUID, seq int64, e PublishedEdit) (previous []string, ok bool, err error) {
	if e.Downloads == nil {
		e.Downloads = []Download{}
	}
	if e.Keys == nil {
		e.Keys = []string{}
	}
	var keep, original, chapters any
	if e.Keep != nil {
		keep = e.Keep
	}
	if e.Original != nil {
		original = e.Original
	}
	if e.Chapters != nil {
		chapters = e.Chapters
	}
	err = tx.QueryRow(ctx, `
		UPDATE videos v SET edit = $3, edit_original = $4, edit_keys = $5, duration_seconds = $6,
			renditions = $7, downloads = $8, storyboard_key = $9, chapters = $10,
			percent = 95, updated_at = now()
		FROM (SELECT id, edit_keys FROM videos WHERE id = $1 FOR UPDATE) prev
		WHERE v.id = prev.id AND v.edit_seq = $2 AND v.status = 'READY'
		RETURNING prev.edit_keys`,
		uuidArg(id), seq, keep, original, e.Keys, e.Duration, e.Renditions, e.Downloads, e.StoryboardKey, chapters).Scan(&previous)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("publish edit of %s: %w", id, err)
	}
	return previous, true, nil
}

// FinishEditTx ends the stage "edit" of video id once edit seq is
// published whole (files, subtitles, master playlist), and queues the
// video.edited webhook event for its owner's endpoints. It does nothing
// when seq is superseded.
func (s *Store) FinishEditTx(ctx context.Context, tx pgx.Tx, id uuid.UUID, seq int64) error {
	tag, err := tx.Exec(ctx, `
		UPDATE videos SET stage = 'done', percent = 100, updated_at = now()
		WHERE id = $1 AND edit_seq = $2 AND status = 'READY' AND stage = 'edit'`, uuidArg(id), seq)
	if err != nil {
		return fmt.Errorf("finish edit of %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return nil
	}
	// Like the events the videos trigger writes: only for owners with an
	// endpoint that wants it, woken at commit.
	_, err = tx.Exec(ctx, `
		WITH e AS (
			INSERT INTO webhook_events (type, video_id, owner_id, data)
			SELECT $2, v.id, v.owner_id, jsonb_build_object('video', webhook_video_json(v), 'edit', v.edit)
			FROM videos v
			WHERE v.id = $1 AND EXISTS (SELECT 1 FROM webhooks w
				WHERE w.owner_id = v.owner_id AND w.active AND $2 = ANY (w.events))
			RETURNING id)
		SELECT pg_notify('clipcut_webhook', id::text) FROM e`, uuidArg(id), EditWebhookEvent)
	if err != nil {
		return fmt.Errorf("finish edit of %s: webhook event: %w", id, err)
	}
	return nil
}
