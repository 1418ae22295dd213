package store

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// UnfinishedVideoJobs returns the ids of River jobs about a video (args
// with its "video_id") that have not finished, so they can be cancelled.
func (s *Store) UnfinishedVideoJobs(ctx context.Context, videoID uuid.UUID, exceptKind string) ([]int64, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id FROM river_job
		WHERE args->>'video_id' = $1::text AND kind <> $2
		  AND state IN ('available', 'scheduled', 'running', 'retryable', 'pending')`, videoID, exceptKind)
	if err != nil {
		return nil, fmt.Errorf("unfinished video jobs: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("unfinished video jobs: %w", err)
	}
	return ids, nil
}

// VideoExists reports whether the video's row still exists.
func (s *Store) VideoExists(ctx context.Context, id uuid.UUID) (bool, error) {
	var ok bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM videos WHERE id = $1)`, id).Scan(&ok); err != nil {
		return false, fmt.Errorf("video exists: %w", err)
	}
	return ok, nil
}
