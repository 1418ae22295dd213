package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// ChunkPlan is the state of a video's chunked transcode: which of its
// chunks are encoded, and whether the renditions were assembled.
type ChunkPlan struct {
	// JobID is the transcode job that made the plan.
	JobID int64
	// Assembled is set in the transaction that records the renditions.
	Assembled bool
	// Chunks are in order, one per chunk.
	Chunks []ChunkState
}

// ChunkState is one chunk of a plan.
type ChunkState struct {
	Index int
	Done  bool
	// Result is what the chunk's encode produced, in the jobs package's
	// format; nil until Done.
	Result json.RawMessage
}

// ChunkPlan reads the chunk plan of video id; ErrNotFound when it has none.
func (s *Store) ChunkPlan(ctx context.Context, id uuid.UUID) (ChunkPlan, error) {
	var plan ChunkPlan
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		plan, err = s.readChunkPlan(ctx, tx, id, false)
		return err
	})
	return plan, err
}

// LockChunkPlanTx reads the chunk plan of video id and locks it until tx
// ends, so chunks finishing at the same moment take turns: one of them
// sees every chunk done. ErrNotFound when there is no plan.
func (s *Store) LockChunkPlanTx(ctx context.Context, tx pgx.Tx, id uuid.UUID) (ChunkPlan, error) {
	return s.readChunkPlan(ctx, tx, id, true)
}

func (s *Store) readChunkPlan(ctx context.Context, tx pgx.Tx, id uuid.UUID, lock bool) (ChunkPlan, error) {
	q := `SELECT job_id, assembled FROM transcode_chunk_plans WHERE video_id = $1`
	if lock {
		q += ` FOR UPDATE`
	}
	var plan ChunkPlan
	if err := tx.QueryRow(ctx, q, uuidArg(id)).Scan(&plan.JobID, &plan.Assembled); err != nil {
		return ChunkPlan{}, fmt.Errorf("chunk plan of %s: %w", id, notFound(err))
	}
	rows, err := tx.Query(ctx, `SELECT idx, done, result FROM transcode_chunks WHERE video_id = $1 ORDER BY idx`, uuidArg(id))
	if err != nil {
		return ChunkPlan{}, fmt.Errorf("chunks of %s: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c ChunkState
		var result []byte
		if err := rows.Scan(&c.Index, &c.Done, &result); err != nil {
			return ChunkPlan{}, fmt.Errorf("chunks of %s: %w", id, err)
		}
		c.Result = result
		plan.Chunks = append(plan.Chunks, c)
	}
	if err := rows.Err(); err != nil {
		return ChunkPlan{}, fmt.Errorf("chunks of %s: %w", id, err)
	}
	return plan, nil
}

// ResetChunkPlanTx replaces any chunk plan of video id with a new one of
// chunks chunks, none done, made by transcode job jobID.
func (s *Store) ResetChunkPlanTx(ctx context.Context, tx pgx.Tx, id uuid.UUID, jobID int64, chunks int) error {
	if _, err := tx.Exec(ctx, `DELETE FROM transcode_chunk_plans WHERE video_id = $1`, uuidArg(id)); err != nil {
		return fmt.Errorf("reset chunk plan of %s: %w", id, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO transcode_chunk_plans (video_id, job_id) VALUES ($1, $2)`, uuidArg(id), jobID); err != nil {
		return fmt.Errorf("reset chunk plan of %s: %w", id, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO transcode_chunks (video_id, idx) SELECT $1, generate_series(0, $2 - 1)`, uuidArg(id), chunks); err != nil {
		return fmt.Errorf("reset chunk plan of %s: %w", id, err)
	}
	return nil
}

// FinishChunkTx records chunk index of video id as done with its result
// (marshalled to JSON). ErrNotFound when the chunk is not in the plan.
func (s *Store) FinishChunkTx(ctx context.Context, tx pgx.Tx, id uuid.UUID, index int, result any) error {
	raw, err := json.Marshal(result)
	if err != nil {
		return fmt.Errorf("finish chunk %d of %s: %w", index, id, err)
	}
	tag, err := tx.Exec(ctx, `UPDATE transcode_chunks SET done = true, result = $3 WHERE video_id = $1 AND idx = $2`, uuidArg(id), index, raw)
	if err != nil {
		return fmt.Errorf("finish chunk %d of %s: %w", index, id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("finish chunk %d of %s: %w", index, id, ErrNotFound)
	}
	return nil
}

// SetChunksAssembledTx records that the renditions of video id were
// assembled from its chunks.
func (s *Store) SetChunksAssembledTx(ctx context.Context, tx pgx.Tx, id uuid.UUID) error {
	tag, err := tx.Exec(ctx, `UPDATE transcode_chunk_plans SET assembled = true WHERE video_id = $1`, uuidArg(id))
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("assembled chunks of %s: %w", id, err)
	}
	return nil
}
