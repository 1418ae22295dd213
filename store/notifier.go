package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Topic is a NOTIFY channel the notifier can LISTEN on. Each topic is
// declared beside its typed subscribe method: TopicVideo (the Hub),
// TopicWebhook (the webhook outbox) and TopicPrivacy (privacy caches).
type Topic string

// Handler receives one topic's notifications. Its functions run on the
// notifier's goroutine, one call at a time, and must return quickly and
// must not subscribe or unsubscribe: a handler that blocks holds up every
// topic. Hand slow work to a goroutine of your own.
type Handler struct {
	// Listening, if set, runs each time the topic's LISTEN is in place for
	// this subscription: first after Subscribe, then after every
	// reconnect. missed is false the first time and true afterwards:
	// notifications sent while the connection was down are lost, so the
	// subscriber re-reads (or forgets) the state they would have changed.
	Listening func(missed bool)
	// Notify runs with each notification's payload.
	Notify func(payload string)
}

// Notifier holds the process's one LISTEN connection and fans
// notifications out to topic subscriptions, as River's internal notifier
// does. It LISTENs only on topics that have subscribers, connects once
// there is one, and reconnects with backoff; after a reconnect every
// subscription hears Listening(true) so it can resync.
type Notifier struct {
	pool   *pgxpool.Pool
	logger *slog.Logger
	// Health, when set before Start, says once per outage that the
	// database went and came back, instead of a line per reconnect.
	Health *Health

	mu   sync.Mutex
	subs map[Topic]map[*topicSub]struct{}
	// dirty is set when subscriptions changed since the loop last brought
	// its LISTENs in line; interrupt, while the loop waits, ends the wait.
	dirty     bool
	interrupt context.CancelFunc
	// wake tells an idle loop (no subscriptions yet) that one arrived.
	wake chan struct{}

	cancel context.CancelFunc
	done   chan struct{}
}

type topicSub struct {
	h Handler
	// live: told Listening on the current connection; heard: told at
	// least once. Both are guarded by Notifier.mu.
	live, heard bool
}

// NewNotifier returns a notifier on pool; Start it to listen.
func NewNotifier(pool *pgxpool.Pool, logger *slog.Logger) *Notifier {
	return &Notifier{pool: pool, logger: logger, subs: map[Topic]map[*topicSub]struct{}{},
		wake: make(chan struct{}, 1)}
}

// Subscribe registers h for topic's notifications until unsubscribe is
// called; once it returns, h is not called again. Subscribing works
// before or after Start; a running notifier adds the LISTEN on its
// connection.
func (n *Notifier) Subscribe(topic Topic, h Handler) (unsubscribe func()) {
	s := &topicSub{h: h}
	n.mu.Lock()
	if n.subs[topic] == nil {
		n.subs[topic] = map[*topicSub]struct{}{}
	}
	n.subs[topic][s] = struct{}{}
	n.changed()
	n.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			n.mu.Lock()
			delete(n.subs[topic], s)
			if len(n.subs[topic]) == 0 {
				delete(n.subs, topic)
			}
			n.changed()
			n.mu.Unlock()
		})
	}
}

// subscribeIDs is Subscribe for topics whose payload is one id.
func (n *Notifier) subscribeIDs(topic Topic, listening func(missed bool), fn func(uuid.UUID)) func() {
	return n.Subscribe(topic, Handler{Listening: listening, Notify: func(payload string) {
		id, err := uuid.Parse(payload)
		if err != nil {
			n.logger.Error("notification payload is not an id", "topic", string(topic), "payload", payload)
			return
		}
		fn(id)
	}})
}

// changed marks the LISTEN set stale and wakes the loop. Call with mu held.
func (n *Notifier) changed() {
	n.dirty = true
	if n.interrupt != nil {
		n.interrupt()
		n.interrupt = nil
	}
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// Start starts the notifier's goroutine, which runs until Stop (or until
// ctx ends). It returns at once: the connection is made in the background,
// retried until the database answers.
func (n *Notifier) Start(ctx context.Context) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.done != nil {
		return errors.New("start notifier: already started")
	}
	ctx, n.cancel = context.WithCancel(ctx)
	n.done = make(chan struct{})
	go n.run(ctx, n.done)
	return nil
}

// Stop ends the notifier's goroutine, closes its connection and waits
// until both are done. Subscriptions stay; a later Start resumes them.
func (n *Notifier) Stop() {
	n.mu.Lock()
	cancel, done := n.cancel, n.done
	n.cancel, n.done = nil, nil
	n.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-done
}

func (n *Notifier) run(ctx context.Context, done chan struct{}) {
	defer close(done)
	var backoff Backoff
	for {
		if !n.waitForSubscribers(ctx) {
			return
		}
		err := n.listen(ctx, func() { backoff.Reset(); n.Health.OK(ctx) })
		if ctx.Err() != nil {
			return
		}
		if n.Health == nil || !n.Health.Failed(ctx, err) {
			n.logger.WarnContext(ctx, "notifier lost its database connection; reconnecting",
				"error", err, "retry_in", backoff.Delay())
		}
		if backoff.Wait(ctx) != nil {
			return
		}
	}
}

// waitForSubscribers returns once there is a subscription (true) or ctx
// ended (false), so a process that listens for nothing holds no connection.
func (n *Notifier) waitForSubscribers(ctx context.Context) bool {
	for {
		n.mu.Lock()
		any := len(n.subs) > 0
		n.mu.Unlock()
		if any {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-n.wake:
		}
	}
}

// listen runs one connection: LISTEN on every subscribed topic, then
// deliver notifications until the connection fails or ctx ends.
// listening runs each time the LISTEN set is in place.
func (n *Notifier) listen(ctx context.Context, listening func()) error {
	pooled, err := n.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("notifier: acquire connection: %w", err)
	}
	// The connection carries LISTEN state: never hand it back to the pool.
	conn := pooled.Hijack()
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
	}()
	n.mu.Lock()
	for _, subs := range n.subs {
		for s := range subs {
			s.live = false
		}
	}
	n.mu.Unlock()
	topics := map[Topic]bool{} // LISTENed on this connection
	for {
		if err := n.sync(ctx, conn, topics); err != nil {
			return err
		}
		listening()
		waitCtx, interrupt := context.WithCancel(ctx)
		n.mu.Lock()
		if n.dirty {
			interrupt() // changed during sync: sync again at once
		} else {
			n.interrupt = interrupt
		}
		n.mu.Unlock()
		note, err := conn.WaitForNotification(waitCtx)
		n.mu.Lock()
		n.interrupt = nil
		n.mu.Unlock()
		interrupted := waitCtx.Err() != nil
		interrupt()
		if note != nil {
			n.dispatch(note)
		}
		if err != nil {
			// An interrupted wait leaves the connection usable: pgx ends it
			// with a read deadline, which does not close the connection.
			if interrupted && ctx.Err() == nil && !conn.IsClosed() {
				continue
			}
			return fmt.Errorf("notifier: wait for notification: %w", err)
		}
	}
}

// sync brings the connection's LISTENs in line with the subscribed topics
// and tells each subscription that is not yet live on this connection.
func (n *Notifier) sync(ctx context.Context, conn *pgx.Conn, topics map[Topic]bool) error {
	n.mu.Lock()
	n.dirty = false
	var add, drop []Topic
	for t := range n.subs {
		if !topics[t] {
			add = append(add, t)
		}
	}
	for t := range topics {
		if n.subs[t] == nil {
			drop = append(drop, t)
		}
	}
	n.mu.Unlock()
	for _, t := range add {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{string(t)}.Sanitize()); err != nil {
			return fmt.Errorf("notifier: listen %s: %w", t, err)
		}
		topics[t] = true
	}
	for _, t := range drop {
		if _, err := conn.Exec(ctx, "UNLISTEN "+pgx.Identifier{string(t)}.Sanitize()); err != nil {
			return fmt.Errorf("notifier: unlisten %s: %w", t, err)
		}
		delete(topics, t)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	for t, subs := range n.subs {
		if !topics[t] {
			continue // subscribed during the LISTENs above: dirty, next sync
		}
		for s := range subs {
			if s.live {
				continue
			}
			missed := s.heard
			s.live, s.heard = true, true
			if s.h.Listening != nil {
				s.h.Listening(missed)
			}
		}
	}
	return nil
}

func (n *Notifier) dispatch(note *pgconn.Notification) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for s := range n.subs[Topic(note.Channel)] {
		if s.live && s.h.Notify != nil {
			s.h.Notify(note.Payload)
		}
	}
}
