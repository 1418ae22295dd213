package graph

import (
	"context"

	"github.com/clipcut/clipcut/graph/model"
	"github.com/clipcut/clipcut/store"
)

// streamVideoProgress sends the current state of the video ref names,
// then every change, until the video is READY, FAILED or deleted, or ctx
// ends. Each event's videoId is the id viewer is shown for the video
// (shownVideoID), so a stranger following an UNLISTED video by its public
// id never reads its video id.
func streamVideoProgress(ctx context.Context, s *store.Store, hub *store.Hub, ref progressRef, viewer store.Viewer) (<-chan *model.VideoProgress, error) {
	if ref.publicID != "" {
		// The video id is known only once the public id is read; the
		// read after subscribing below is the one that counts.
		v, err := ref.read(ctx, s, viewer)
		if err != nil {
			return nil, err
		}
		ref.id = v.ID
	}
	// Subscribe before reading so that no change falls in between.
	events, unsubscribe := hub.Subscribe(ref.id)
	v, err := ref.read(ctx, s, viewer)
	if err != nil {
		unsubscribe()
		return nil, err
	}
	shown := shownVideoID(v, viewer)
	out := make(chan *model.VideoProgress, 1)
	go func() {
		defer close(out)
		defer unsubscribe()
		cur, version := model.ProgressOf(v), v.Version
		for {
			cur.VideoID = shown
			select {
			case out <- cur:
			case <-ctx.Done():
				return
			}
			if cur.Status == model.VideoStatusReady || cur.Status == model.VideoStatusFailed {
				return
			}
			next, nextVersion, ok := nextProgress(ctx, s, events, ref, viewer, cur, version)
			if !ok {
				return
			}
			cur, version = next, nextVersion
		}
	}()
	return out, nil
}

// nextProgress waits for the next state newer than version that differs
// from cur. Events committed before the subscriber read the row can arrive
// after it; their versions are not newer, so they are dropped.
func nextProgress(ctx context.Context, s *store.Store, events <-chan store.VideoEvent, ref progressRef, viewer store.Viewer, cur *model.VideoProgress, version int64) (*model.VideoProgress, int64, bool) {
	for {
		var ev store.VideoEvent
		select {
		case <-ctx.Done():
			return nil, 0, false
		case ev = <-events:
		}
		var next *model.VideoProgress
		switch {
		case ev.Deleted:
			return nil, 0, false
		case ev.Resync:
			// The listener reconnected: events may have been missed,
			// and so may a privacy change or a new public id.
			v, err := ref.read(ctx, s, viewer)
			if err != nil {
				return nil, 0, false
			}
			next, ev.Version = model.ProgressOf(v), v.Version
		case ev.Version <= version:
			continue
		default:
			next = model.ProgressFromEvent(ev)
		}
		version = max(version, ev.Version)
		next.VideoID = cur.VideoID
		if !sameProgress(next, cur) {
			return next, version, true
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
