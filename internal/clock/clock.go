// Package clock tells the time and waits. Code that waits on GitHub (rate
// limits, pacing) takes a Clock, so tests can run it in virtual time with a
// Virtual clock shared by the client and the fake GitHub.
package clock

import (
	"context"
	"sync"
	"time"
)

// Clock tells the time and sleeps.
type Clock interface {
	Now() time.Time
	// Sleep waits for d, or until ctx is done (returning ctx.Err()).
	Sleep(ctx context.Context, d time.Duration) error
}

// System is the real clock.
func System() Clock { return system{} }

type system struct{}

func (system) Now() time.Time { return time.Now() }

func (system) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Virtual is a clock for tests that moves only when told to or when someone
// sleeps: Sleep(d) returns at once, having moved the time forward by d. Code
// that waits for a moment rather than a duration (sleeping until - Now())
// therefore keeps its deadlines when several goroutines sleep at once. It is
// safe for concurrent use.
type Virtual struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
}

// NewVirtual returns a virtual clock showing start.
func NewVirtual(start time.Time) *Virtual { return &Virtual{now: start} }

// Now returns the virtual time.
func (v *Virtual) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.now
}

// Sleep moves the time forward by d and returns.
func (v *Virtual) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d > 0 {
		v.mu.Lock()
		defer v.mu.Unlock()
		v.slept += d
		v.now = v.now.Add(d)
	}
	return nil
}

// Advance moves the time forward by d, as the world going on without us.
func (v *Virtual) Advance(d time.Duration) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.now = v.now.Add(d)
}

// Slept returns the total of all durations passed to Sleep.
func (v *Virtual) Slept() time.Duration {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.slept
}
