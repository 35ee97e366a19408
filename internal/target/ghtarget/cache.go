package ghtarget

import (
	"context"
	"sync"
)

// cache holds one snapshot per team or repository. Concurrent readers of a
// key share a single load; a failed load is not kept, so the next reader
// retries.
type cache struct {
	mu      sync.Mutex
	entries map[string]*entry
}

type entry struct {
	done chan struct{} // closed when snap and err are set
	snap snapshot
	err  error
}

// get returns the snapshot for key, loading it once. The load runs detached
// from the first caller's cancellation, so one caller giving up does not fail
// the others waiting on the same load; each caller still stops waiting when
// its own context ends.
func (c *cache) get(ctx context.Context, key string, load func(context.Context) (snapshot, error)) (snapshot, error) {
	c.mu.Lock()
	e, ok := c.entries[key]
	if !ok {
		e = &entry{done: make(chan struct{})}
		c.entries[key] = e
		go func(ctx context.Context) {
			e.snap, e.err = load(ctx)
			if e.err != nil {
				c.mu.Lock()
				if c.entries[key] == e {
					delete(c.entries, key)
				}
				c.mu.Unlock()
			}
			close(e.done)
		}(context.WithoutCancel(ctx))
	}
	c.mu.Unlock()

	select {
	case <-e.done:
		return e.snap, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// invalidate drops key's snapshot so the next reader sees the latest writes.
// A load already in flight finishes for those waiting on it but is not reused.
func (c *cache) invalidate(key string) {
	c.mu.Lock()
	delete(c.entries, key)
	c.mu.Unlock()
}
