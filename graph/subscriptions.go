package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/graph/model"
	"github.com/clipcut/clipcut/store"
)

// streamVideoProgress sends a video's current state, then every change,
// until the video is READY, FAILED or deleted, or ctx ends.
func streamVideoProgress(ctx context.Context, s *store.Store, hub *store.Hub, id uuid.UUID, viewer store.Viewer) (<-chan *model.VideoProgress, error) {
	// Subscribe before reading so that no change falls in between.
	events, unsubscribe := hub.Subscribe(id)
	v, err := s.VideoForViewer(ctx, id, viewer)
	if err != nil {
		unsubscribe()
		return nil, err
	}
	out := make(chan *model.VideoProgress, 1)
	go func() {
		defer close(out)
		defer unsubscribe()
		cur := model.ProgressOf(v)
		for {
			select {
			case out <- cur:
			case <-ctx.Done():
				return
			}
			if cur.Status == model.VideoStatusReady || cur.Status == model.VideoStatusFailed {
				return
			}
			next, ok := nextProgress(ctx, s, events, id, viewer, cur)
			if !ok {
				return
			}
			cur = next
		}
	}()
	return out, nil
}

// nextProgress waits for the next state that differs from cur.
func nextProgress(ctx context.Context, s *store.Store, events <-chan store.VideoEvent, id uuid.UUID, viewer store.Viewer, cur *model.VideoProgress) (*model.VideoProgress, bool) {
	for {
		var ev store.VideoEvent
		select {
		case <-ctx.Done():
			return nil, false
		case ev = <-events:
		}
		var next *model.VideoProgress
		switch {
		case ev.Deleted:
			return nil, false
		case ev.Resync:
			// The listener reconnected: events may have been missed.
			v, err := s.VideoForViewer(ctx, id, viewer)
			if err != nil {
				return nil, false
			}
			next = model.ProgressOf(v)
		default:
			next = model.ProgressFromEvent(ev)
		}
		if !sameProgress(next, cur) {
			return next, true
		}
	}
}

func sameProgress(a, b *model.VideoProgress) bool {
	errA, errB := "", ""
	if a.Error != nil {
		errA = *a.Error
	}
	if b.Error != nil {
		errB = *b.Error
	}
	return a.Status == b.Status && a.Stage == b.Stage && a.Percent == b.Percent &&
		a.Playable == b.Playable && errA == errB
}
