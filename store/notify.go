package store

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// VideoChannel is the NOTIFY channel the videos trigger publishes on.
const VideoChannel = "clipcut_video"

// VideoEvent is one published change of a video's processing state.
type VideoEvent struct {
	ID       uuid.UUID `json:"id"`
	Version  int64     `json:"version"`
	Status   string    `json:"status"`
	Stage    string    `json:"stage"`
	Percent  float64   `json:"percent"`
	Playable bool      `json:"playable"`
	Error    *string   `json:"error"`
	Deleted  bool      `json:"deleted"`
	// Resync is set on the event a subscriber receives after the hub lost its
	// connection: events may have been missed, so re-read the current state.
	Resync bool `json:"-"`
}

// Hub holds one LISTEN connection per process and fans video events out to
// subscribers, so any API replica can serve any subscription whichever
// process made the change.
type Hub struct {
	pool   *pgxpool.Pool
	logger *slog.Logger

	mu   sync.Mutex
	subs map[uuid.UUID]map[*subscription]struct{}
}

type subscription struct {
	// ch holds at most the newest undelivered event: progress is a state,
	// so a slow subscriber skips stale states instead of blocking the hub.
	ch chan VideoEvent
}

// NewHub returns a hub; call Run to start listening.
func NewHub(pool *pgxpool.Pool, logger *slog.Logger) *Hub {
	return &Hub{pool: pool, logger: logger, subs: map[uuid.UUID]map[*subscription]struct{}{}}
}

// Subscribe returns the events for one video and a function that ends the
// subscription. Subscribe before reading the current state so no change
// falls between the two.
func (h *Hub) Subscribe(id uuid.UUID) (<-chan VideoEvent, func()) {
	sub := &subscription{ch: make(chan VideoEvent, 1)}
	h.mu.Lock()
	if h.subs[id] == nil {
		h.subs[id] = map[*subscription]struct{}{}
	}
	h.subs[id][sub] = struct{}{}
	h.mu.Unlock()
	var once sync.Once
	return sub.ch, func() {
		once.Do(func() {
			h.mu.Lock()
			delete(h.subs[id], sub)
			if len(h.subs[id]) == 0 {
				delete(h.subs, id)
			}
			h.mu.Unlock()
		})
	}
}

// Subscribers returns how many subscriptions are open, for metrics.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, s := range h.subs {
		n += len(s)
	}
	return n
}

func (s *subscription) offer(ev VideoEvent) {
	// Only the hub goroutine sends, so draining then sending cannot race
	// with another sender.
	select {
	case s.ch <- ev:
		return
	default:
	}
	select {
	case old := <-s.ch:
		ev.Resync = ev.Resync || old.Resync
	default:
	}
	select {
	case s.ch <- ev:
	default:
	}
}

func (h *Hub) publish(ev VideoEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.subs[ev.ID] {
		sub.offer(ev)
	}
}

func (h *Hub) resyncAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, subs := range h.subs {
		for sub := range subs {
			sub.offer(VideoEvent{ID: id, Resync: true})
		}
	}
}

// Run listens until ctx ends, reconnecting with capped exponential backoff.
// After every reconnect all subscribers get a Resync event.
func (h *Hub) Run(ctx context.Context) {
	backoff := 100 * time.Millisecond
	connected := false
	for ctx.Err() == nil {
		err := h.listen(ctx, func() {
			if connected {
				h.resyncAll()
			}
			connected = true
			backoff = 100 * time.Millisecond
		})
		if ctx.Err() != nil {
			return
		}
		h.logger.WarnContext(ctx, "event listener lost its database connection; reconnecting",
			"error", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (h *Hub) listen(ctx context.Context, onListening func()) error {
	pooled, err := h.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// The connection carries LISTEN state: never hand it back to the pool.
	conn := pooled.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+VideoChannel); err != nil {
		return err
	}
	onListening()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var ev VideoEvent
		if err := json.Unmarshal([]byte(n.Payload), &ev); err != nil {
			h.logger.ErrorContext(ctx, "bad video event payload", "payload", n.Payload, "error", err)
			continue
		}
		h.publish(ev)
	}
}
