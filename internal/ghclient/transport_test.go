package ghclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/clock"
)

func TestBackoffHonoursRetryAfter(t *testing.T) {
	resp := func(status int, headers map[string]string) *http.Response {
		h := http.Header{}
		for k, v := range headers {
			h.Set(k, v)
		}
		return &http.Response{StatusCode: status, Header: h}
	}
	tests := map[string]struct {
		resp *http.Response
		want time.Duration
	}{
		"503 Retry-After":  {resp(503, map[string]string{"Retry-After": "7"}), 7 * time.Second},
		"Retry-After zero": {resp(502, map[string]string{"Retry-After": "0"}), 0},
		"capped":           {resp(503, map[string]string{"Retry-After": "3600"}), time.Minute},
		"huge":             {resp(503, map[string]string{"Retry-After": "99999999999999"}), time.Minute},
	}
	for name, tc := range tests {
		if got := backoff(time.Second, time.Minute, 0, tc.resp); got != tc.want {
			t.Errorf("%s: backoff = %s, want %s", name, got, tc.want)
		}
	}
}

func TestBackoffExponentialWithJitter(t *testing.T) {
	lo, hi := time.Second, 10*time.Second
	for attempt, ceiling := range []time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second} {
		for _, resp := range []*http.Response{nil, {StatusCode: 502, Header: http.Header{}}} {
			for range 50 {
				got := backoff(lo, hi, attempt, resp)
				if got < ceiling/2 || got > ceiling {
					t.Fatalf("attempt %d: backoff = %s, want in [%s, %s]", attempt, got, ceiling/2, ceiling)
				}
			}
		}
	}
	if got := backoff(lo, hi, 1000, nil); got > hi {
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
		clock:      clock.System(),
		limits:     newLimits(clock.System(), time.Minute),
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
