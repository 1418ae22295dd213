package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// QueueDepth is how many jobs of one queue are in one state.
type QueueDepth struct {
	Queue string
	State string
	Count int64
}

// QueueDepths counts unfinished River jobs by queue and state.
func (s *Store) QueueDepths(ctx context.Context) ([]QueueDepth, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT queue, state::text, count(*) FROM river_job
		WHERE state IN ('available', 'scheduled', 'running', 'retryable', 'pending')
		GROUP BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("queue depths: %w", err)
	}
	depths, err := pgx.CollectRows(rows, pgx.RowToStructByPos[QueueDepth])
	if err != nil {
		return nil, fmt.Errorf("queue depths: %w", err)
	}
	return depths, nil
}
