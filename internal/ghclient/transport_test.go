package ghclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

func TestBackoffHonoursServerHints(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	tr := &transport{clock: fixedClock(now)}
	resp := func(status int, headers map[string]string) *http.Response {
		h := http.Header{}
		for k, v := range headers {
			h.Set(k, v)
		}
		return &http.Response{StatusCode: status, Header: h}
	}
	reset := func(d time.Duration) string { return fmt.Sprint(now.Add(d).Unix()) }

	tests := map[string]struct {
		resp *http.Response
		hi   time.Duration
		want time.Duration
	}{
		"429 Retry-After": {
			resp: resp(429, map[string]string{"Retry-After": "7"}),
			hi:   time.Minute, want: 7 * time.Second,
		},
		"Retry-After zero": {
			resp: resp(403, map[string]string{"Retry-After": "0"}),
			hi:   time.Minute, want: 0,
		},
		"Retry-After capped": {
			resp: resp(429, map[string]string{"Retry-After": "3600"}),
			hi:   time.Minute, want: time.Minute,
		},
		"Retry-After huge": {
			resp: resp(429, map[string]string{"Retry-After": "99999999999999"}),
			hi:   time.Minute, want: time.Minute,
		},
		"Retry-After beats reset": {
			resp: resp(403, map[string]string{"Retry-After": "2", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset(30 * time.Second)}),
			hi:   time.Minute, want: 2 * time.Second,
		},
		"primary limit waits for reset": {
			resp: resp(403, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset(30 * time.Second)}),
			hi:   time.Minute, want: 31 * time.Second,
		},
		"primary limit reset capped": {
			resp: resp(429, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset(time.Hour)}),
			hi:   time.Minute, want: time.Minute,
		},
		"reset already passed": {
			resp: resp(403, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset(-time.Minute)}),
			hi:   time.Minute, want: 0,
		},
	}
	for name, tc := range tests {
		if got := tr.backoff(time.Second, tc.hi, 0, tc.resp); got != tc.want {
			t.Errorf("%s: backoff = %s, want %s", name, got, tc.want)
		}
	}
}

func TestBackoffExponentialWithJitter(t *testing.T) {
	tr := &transport{clock: fixedClock(time.Unix(0, 0))}
	lo, hi := time.Second, 10*time.Second
	// Reset is ignored while requests remain; a 502 has no hints at all.
	hint := &http.Response{StatusCode: 403, Header: http.Header{"X-Ratelimit-Remaining": {"5"}, "X-Ratelimit-Reset": {"99999"}}}
	for attempt, ceiling := range []time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second} {
		for _, resp := range []*http.Response{nil, {StatusCode: 502, Header: http.Header{}}, hint} {
			for range 50 {
				got := tr.backoff(lo, hi, attempt, resp)
				if got < ceiling/2 || got > ceiling {
					t.Fatalf("attempt %d: backoff = %s, want in [%s, %s]", attempt, got, ceiling/2, ceiling)
				}
			}
		}
	}
	if got := tr.backoff(lo, hi, 1000, nil); got > hi {
		t.Errorf("attempt 1000: backoff = %s, want <= %s", got, hi)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

type closeTracker struct {
	io.Reader
	closed bool
}

func (c *closeTracker) Close() error { c.closed = true; return nil }

// A response that arrives as the context is cancelled must not be returned
// alongside the error: net/http would log to stderr and leak its body.
func TestRoundTripCancelledAfterResponse(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	body := &closeTracker{Reader: strings.NewReader(`{}`)}
	tr := &transport{
		base: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			cancel()
			return &http.Response{StatusCode: http.StatusBadGateway, Header: http.Header{}, Body: body, Request: r}, nil
		})},
		maxRetries: 3,
		minWait:    time.Millisecond,
		maxWait:    time.Millisecond,
		log:        func(context.Context, string, map[string]any) {},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.github.com/user", nil)
	if err != nil {
		t.Fatal(err)
	}

	resp, err := tr.RoundTrip(req)
	if resp != nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("RoundTrip = %v, %v; want nil, context.Canceled", resp, err)
	}
	if !body.closed {
		t.Error("response body not closed")
	}
}
