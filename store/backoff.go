package store

import (
	"context"
	"time"
)

// Backoff is capped exponential backoff for loops that retry until the
// database answers: the notifier's reconnects and the server's start-up.
// The zero value waits 100 ms, doubling up to 5 s.
type Backoff struct {
	// Min is the first delay and the one after Reset.
	Min time.Duration
	// Max caps the delay.
	Max time.Duration

	next time.Duration
}

// Delay is the delay the next Wait sleeps, for a log line saying when
// the next attempt comes.
func (b *Backoff) Delay() time.Duration {
	if b.next == 0 {
		return b.min()
	}
	return b.next
}

// Wait sleeps for Delay, or until ctx ends (then it returns ctx's error),
// and doubles the next delay up to Max.
func (b *Backoff) Wait(ctx context.Context) error {
	d := b.Delay()
	b.next = min(2*d, b.max())
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Reset starts over from Min after a success.
func (b *Backoff) Reset() { b.next = 0 }

func (b *Backoff) min() time.Duration {
	if b.Min > 0 {
		return b.Min
	}
	return 100 * time.Millisecond
}

func (b *Backoff) max() time.Duration {
	if b.Max > 0 {
		return b.Max
	}
	return 5 * time.Second
}
