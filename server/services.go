package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// service is a background part of clipcut with an owner and a way to stop,
// modelled on River's rivershared/startstop: Start starts whatever the
// service runs (a goroutine it owns, or a subscription) and returns; Stop
// ends it and returns once it has. The notifier and the video hub are
// services themselves; run loops become one through loop.
type service interface {
	Start(ctx context.Context) error
	Stop()
}

// loop makes a function that runs until its context ends (the analytics
// ingester, the job metrics observer, the webhook listener) a service.
func loop(run func(context.Context)) service { return &runLoop{run: run} }

type runLoop struct {
	run    func(context.Context)
	cancel context.CancelFunc
	done   chan struct{}
}

func (l *runLoop) Start(ctx context.Context) error {
	if l.done != nil {
		return fmt.Errorf("start run loop: already started")
	}
	ctx, l.cancel = context.WithCancel(ctx)
	l.done = make(chan struct{})
	go func() {
		defer close(l.done)
		l.run(ctx)
	}()
	return nil
}

func (l *runLoop) Stop() {
	if l.done == nil {
		return
	}
	l.cancel()
	<-l.done
	l.cancel, l.done = nil, nil
}

// services starts background services in order and stops the started
// ones in reverse order, so a service never outlives one it depends on
// (the hub stops before the notifier that feeds it).
type services struct {
	logger  *slog.Logger
	started []namedService
}

type namedService struct {
	name string
	service
}

// start starts svcs in order, recording each for stop. It stops at the
// first that fails; those started before it stay recorded.
func (s *services) start(ctx context.Context, svcs ...namedService) error {
	for _, svc := range svcs {
		if err := svc.Start(ctx); err != nil {
			return fmt.Errorf("start %s: %w", svc.name, err)
		}
		s.started = append(s.started, svc)
		s.logger.Debug("background service started", "service", svc.name)
	}
	return nil
}

// stop stops every started service, last started first. It may be called
// again; later calls do nothing.
func (s *services) stop() {
	for i := len(s.started) - 1; i >= 0; i-- {
		s.started[i].Stop()
		s.logger.Debug("background service stopped", "service", s.started[i].name)
	}
	s.started = nil
}

// drainer is a service that can finish its work within a deadline before
// it is stopped: the job workers, stopped alongside HTTP at shutdown.
type drainer interface {
	Drain(ctx context.Context)
}

// drain drains every started service that drains, last started first.
func (s *services) drain(ctx context.Context) {
	for i := len(s.started) - 1; i >= 0; i-- {
		if d, ok := s.started[i].service.(drainer); ok {
			d.Drain(ctx)
		}
	}
}

// jobWorkers runs River's workers as a service.
type jobWorkers struct {
	client *river.Client[pgx.Tx]
	logger *slog.Logger
	once   sync.Once
}

func (j *jobWorkers) Start(ctx context.Context) error {
	if err := j.client.Start(ctx); err != nil {
		return fmt.Errorf("start job workers: %w", err)
	}
	return nil
}

// Drain stops fetching jobs and lets running ones finish until ctx ends,
// then cancels them; River records the attempt and retries them, on
// another worker if this one is gone.
func (j *jobWorkers) Drain(ctx context.Context) {
	j.once.Do(func() {
		if err := j.client.Stop(ctx); err != nil {
			j.logger.Warn("jobs did not finish in time; cancelling them for retry elsewhere", "error", err)
			cancelCtx, cancelWait := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
			defer cancelWait()
			if err := j.client.StopAndCancel(cancelCtx); err != nil {
				j.logger.Error("cancelled jobs did not return in time; River's rescuer will retry them", "error", err)
			}
		}
	})
}

// Stop drains with no more time than cancelled jobs need to save their state.
func (j *jobWorkers) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
	defer cancel()
	j.Drain(ctx)
}
