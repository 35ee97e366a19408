package ghclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/clock"
)

// GitHub's secondary limits on content-creating requests, which writes are
// paced under. The windows carry a second of slack for the time a request
// spends on the wire.
const (
	writesPerMinute = 80
	writesPerHour   = 500
	minuteWindow    = time.Minute + time.Second
	hourWindow      = time.Hour + time.Second

	// secondaryWait is the least GitHub asks a client to wait after a
	// secondary limit without Retry-After; each further one doubles it.
	secondaryWait = time.Minute
)

// limits is what one client knows of GitHub's rate limits, shared by its
// concurrent requests: when each resource's primary limit resets if it is
// used up, until when a secondary limit holds everything back, and the
// recent writes it paces.
type limits struct {
	mu     sync.Mutex
	clock  clock.Clock
	budget time.Duration
	until  map[string]*hold // by resource; secondaryKey holds all of them
	writes []*time.Time     // send times of recent writes, ascending
}

const secondaryKey = "*"

// hold is a moment before which no request is sent, and why.
type hold struct {
	at        time.Time
	secondary bool
	message   string // GitHub's, when it came with an error
}

func (h *hold) kind() string {
	if h.secondary {
		return "secondary"
	}
	return "primary"
}

// exceeded is the error for a request that would have to wait past budget.
func (h *hold) exceeded(waited, budget time.Duration) *RateLimitError {
	return &RateLimitError{Secondary: h.secondary, Reset: h.at, Waited: waited, Budget: budget, Message: h.message}
}

func newLimits(c clock.Clock, budget time.Duration) *limits {
	return &limits{clock: c, budget: budget, until: map[string]*hold{}}
}

// blocked returns how long a request of resource res must wait, and why.
func (l *limits) blocked(res string) (time.Duration, *hold) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	var wait time.Duration
	var why *hold
	for _, k := range []string{res, secondaryKey} {
		if h := l.until[k]; h != nil {
			if d := h.at.Sub(now); d > wait {
				wait, why = d, h
			}
		}
	}
	return wait, why
}

// observe records what resp says about the rate limits and returns the hold
// it imposes when it is a rate-limit refusal (the caller waits and resends).
// secondaries counts the secondary limits this request already met, for the
// doubling back-off GitHub asks for.
//
// A successful response with X-RateLimit-Remaining 0 loses its
// X-RateLimit-Reset header: go-github v60 would otherwise refuse every later
// request locally, without a way to opt out, until the reset; this client
// waits for the reset itself (within budget) or fails naming it.
func (l *limits) observe(resp *http.Response, res string, secondaries int) *hold {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	if r := resp.Header.Get("X-RateLimit-Resource"); r != "" {
		res = r
	}
	remaining := resp.Header.Get("X-RateLimit-Remaining")
	reset, hasReset := unixHeader(resp, "X-RateLimit-Reset")
	exhausted := remaining == "0" && hasReset
	switch {
	case exhausted:
		l.until[res] = &hold{at: reset.Add(time.Second)}
	case remaining != "":
		delete(l.until, res)
	}

	refused := resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusTooManyRequests
	if !refused {
		if exhausted {
			resp.Header.Del("X-RateLimit-Reset")
		}
		return nil
	}
	var h *hold
	switch wait, hasRetryAfter := retryAfter(resp); {
	case hasRetryAfter:
		h = &hold{at: now.Add(wait), secondary: !exhausted}
	case exhausted:
		h = l.until[res]
	case resp.StatusCode == http.StatusTooManyRequests || bytes.Contains(bytes.ToLower(peekBody(resp, 64<<10)), []byte("secondary rate limit")):
		h = &hold{at: now.Add(secondaryWait << min(secondaries, 10)), secondary: true}
	default:
		return nil // a permission error, not a rate limit
	}
	h.message = errorMessage(peekBody(resp, 64<<10))
	if h.secondary {
		if cur := l.until[secondaryKey]; cur == nil || h.at.After(cur.at) {
			l.until[secondaryKey] = h
		}
	} else {
		l.until[res] = h
	}
	return h
}

// pace waits, if need be, so that this client sends no more writes than
// GitHub's secondary limits allow in any minute or hour. A write's slot is
// reserved under the lock, so concurrent writers keep their order and none
// overtakes the limit; the returned done moves the slot to when the answer
// came, the latest moment GitHub can have counted the write. notify is told
// of a wait before it starts.
func (l *limits) pace(ctx context.Context, notify func(time.Duration)) (done func(), err error) {
	l.mu.Lock()
	now := l.clock.Now()
	at := now
	if n := len(l.writes); n > 0 {
		at = maxTime(at, *l.writes[n-1])
		if n >= writesPerMinute {
			at = maxTime(at, l.writes[n-writesPerMinute].Add(minuteWindow))
		}
		if n >= writesPerHour {
			at = maxTime(at, l.writes[n-writesPerHour].Add(hourWindow))
		}
	}
	slot := &at
	l.writes = append(l.writes, slot)
	if len(l.writes) > writesPerHour {
		l.writes = l.writes[len(l.writes)-writesPerHour:]
	}
	l.mu.Unlock()
	done = func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		*slot = maxTime(*slot, l.clock.Now())
	}
	if wait := at.Sub(now); wait > 0 {
		notify(wait)
		if err := l.clock.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
	return done, nil
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func unixHeader(resp *http.Response, name string) (time.Time, bool) {
	v, err := strconv.ParseInt(resp.Header.Get(name), 10, 64)
	if err != nil || v <= 0 {
		return time.Time{}, false
	}
	return time.Unix(v, 0), true
}

// errorMessage is the "message" of a GitHub error body, if it has one.
func errorMessage(body []byte) string {
	var e struct {
		Message string `json:"message"`
	}
	_ = json.Unmarshal(body, &e)
	return e.Message
}

// RateLimitError is returned, wrapped in go-github's *url.Error, when
// waiting out a GitHub rate limit would take a request past the client's
// rate-limit budget.
type RateLimitError struct {
	Secondary bool          // a secondary limit; otherwise the primary limit is used up
	Reset     time.Time     // when the wait would end: the primary reset, or the secondary back-off
	Waited    time.Duration // how long the request had already waited on rate limits
	Budget    time.Duration // the most a request waits on rate limits in all
	Message   string        // GitHub's message, when the limit came with one
}

func (e *RateLimitError) Error() string {
	said := ""
	if e.Message != "" {
		said = fmt.Sprintf(" (GitHub: %q)", e.Message)
	}
	if e.Secondary {
		return fmt.Sprintf("GitHub's secondary rate limit still applies after waiting %s, and a request waits at most %s on rate limits: retry later or slow down other clients of this token%s",
			e.Waited, e.Budget, said)
	}
	return fmt.Sprintf("GitHub's primary rate limit for this token is used up until %s; waiting for it would pass the %s a request waits at most on rate limits (already waited %s)%s",
		e.Reset.UTC().Format(time.RFC3339), e.Budget, e.Waited, said)
}

// peekBody returns up to n bytes of resp.Body and puts them back in front of
// the rest, so go-github can still decode the error message. A read error is
// left for the next reader of the body to hit again.
func peekBody(resp *http.Response, n int64) []byte {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, n))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), resp.Body), resp.Body}
	return b
}
