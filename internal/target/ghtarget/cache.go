package ghtarget

import (
	"context"
	"sync"
)

// cache holds one loaded value per key. Concurrent readers of a key share a
// single load; a failed load is not kept, so the next reader retries.
type cache[T any] struct {
	mu      sync.Mutex
	entries map[string]*entry[T]
}

type entry[T any] struct {
	done chan struct{} // closed when val and err are set
	val  T
	err  error
}

// get returns the value for key, loading it once. The load runs detached
// from the first caller's cancellation, so one caller giving up does not fail
// the others waiting on the same load; each caller still stops waiting when
// its own context ends.
func (c *cache[T]) get(ctx context.Context, key string, load func(context.Context) (T, error)) (T, error) {
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]*entry[T]{}
	}
	e, ok := c.entries[key]
	if !ok {
		e = &entry[T]{done: make(chan struct{})}
		c.entries[key] = e
		go func(ctx context.Context) {
			e.val, e.err = load(ctx)
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
		return e.val, e.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// invalidate drops key's value so the next reader loads it again. A load
// already in flight finishes for those waiting on it but is not reused.
func (c *cache[T]) invalidate(key string) {
	c.mu.Lock()
	delete(c.entries, key)
	c.mu.Unlock()
}

// peek returns key's value if it is loaded, without loading it.
func (c *cache[T]) peek(key string) (T, bool) {
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	var zero T
	if !ok {
		return zero, false
	}
	select {
	case <-e.done:
		return e.val, e.err == nil
	default:
		return zero, false
	}
}
