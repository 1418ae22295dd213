package store

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"

	"github.com/google/uuid"
)

// TopicVideo carries every committed change of a video's processing
// state, published by the videos trigger as a JSON VideoEvent.
const TopicVideo Topic = "clipcut_video"

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
	// Resync is set on the event a subscriber receives each time the
	// notifier's LISTEN is in place (the first time, and after a lost
	// connection): events may have been missed, so re-read the current
	// state.
	Resync bool `json:"-"`
}

// Hub fans video events from the notifier's video topic out to
// per-video subscriptions, so any API replica can serve any subscription
// whichever process made the change.
type Hub struct {
	notifier *Notifier
	logger   *slog.Logger

	mu   sync.Mutex
	subs map[uuid.UUID]map[*subscription]struct{}

	// runMu guards unsubscribe apart from mu: the notifier calls publish
	// with its own lock held, so the hub must never hold mu while calling
	// the notifier.
	runMu       sync.Mutex
	unsubscribe func()
}

type subscription struct {
	// ch holds at most the newest undelivered event: progress is a state,
	// so a slow subscriber skips stale states instead of blocking the hub.
	ch chan VideoEvent
}

// NewHub returns a hub fed by notifier; Start it to receive events.
func NewHub(notifier *Notifier, logger *slog.Logger) *Hub {
	return &Hub{notifier: notifier, logger: logger, subs: map[uuid.UUID]map[*subscription]struct{}{}}
}

// Notifier returns the notifier the hub listens through, for callers that
// need its other topics (privacy changes) in the same order as its events.
func (h *Hub) Notifier() *Notifier {
	if h == nil {
		return nil
	}
	return h.notifier
}

// Start subscribes the hub to the notifier's video topic. The hub has no
// goroutine of its own: the notifier's goroutine delivers its events.
// Each time the notifier's LISTEN is in place (its first connection and
// every reconnect), every open subscriber gets a Resync event.
func (h *Hub) Start(context.Context) error {
	h.runMu.Lock()
	defer h.runMu.Unlock()
	if h.unsubscribe != nil {
		return errors.New("start hub: already started")
	}
	h.unsubscribe = h.notifier.Subscribe(TopicVideo, Handler{
		// Every LISTEN, the first one included, resyncs the subscribers
		// open at that moment. After a reconnect, notifications were lost
		// while the connection was down; before the first LISTEN (the
		// notifier connects in the background), a subscriber may already
		// have read its state, and a change committed before the LISTEN
		// was in place sends a notification nobody hears. Either way the
		// subscriber re-reads. At start there are usually none to tell.
		Listening: func(bool) { h.resyncAll() },
		Notify:    h.notify,
	})
	return nil
}

// Stop ends the hub's subscription to the notifier; open subscriptions
// stay open but get no more events.
func (h *Hub) Stop() {
	h.runMu.Lock()
	defer h.runMu.Unlock()
	if h.unsubscribe != nil {
		h.unsubscribe()
		h.unsubscribe = nil
	}
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
	// Only the notifier's goroutine sends, so draining then sending
	// cannot race with another sender.
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

func (h *Hub) notify(payload string) {
	var ev VideoEvent
	if err := json.Unmarshal([]byte(payload), &ev); err != nil {
		h.logger.Error("bad video event payload", "payload", payload, "error", err)
		return
	}
	h.publish(ev)
}
