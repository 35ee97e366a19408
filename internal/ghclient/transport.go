package ghclient

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/jitgate/terraform-provider-jit/internal/clock"
)

// transport sends GitHub requests: writes are paced under GitHub's
// secondary limits, rate-limited answers are waited out on the injected
// clock (limits), and server errors and network failures are retried by
// go-retryablehttp.
type transport struct {
	base       *http.Client // shared, pooled connections
	maxRetries int
	minWait    time.Duration
	maxWait    time.Duration
	log        func(ctx context.Context, msg string, fields map[string]any)
	clock      clock.Clock
	limits     *limits
}

// RoundTrip sends req until GitHub answers with something other than a rate
// limit, or waiting longer would pass the rate-limit budget.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := bufferBody(req)
	if err != nil {
		return nil, err
	}
	ctx := req.Context()
	res := resourceOf(req.URL.Path)
	waited := time.Duration(0)
	secondaries := 0
	for attempt := 1; ; attempt++ {
		if wait, why := t.limits.blocked(res); wait > 0 {
			if waited+wait > t.limits.budget {
				return nil, why.exceeded(waited, t.limits.budget)
			}
			t.log(ctx, "waiting for GitHub's rate limit", map[string]any{
				"method": req.Method, "path": req.URL.Path, "limit": why.kind(), "wait": wait.String(),
			})
			if err := t.clock.Sleep(ctx, wait); err != nil {
				return nil, err
			}
			waited += wait
		}
		sent := func() {}
		if isWrite(req.Method) {
			if sent, err = t.limits.pace(ctx, func(wait time.Duration) {
				t.log(ctx, "pacing GitHub writes under the secondary rate limit", map[string]any{
					"method": req.Method, "path": req.URL.Path, "wait": wait.String(),
				})
			}); err != nil {
				return nil, err
			}
		}
		resp, err := t.send(req, body)
		sent()
		if err != nil {
			return nil, err
		}
		limited := t.limits.observe(resp, res, secondaries)
		if limited == nil {
			return resp, nil
		}
		if limited.secondary {
			secondaries++
		}
		t.log(ctx, "GitHub rate limit hit", map[string]any{
			"method": req.Method, "path": req.URL.Path, "attempt": attempt, "status": resp.StatusCode, "limit": limited.kind(),
		})
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
	}
}

// bufferBody reads the request body once so every attempt can send it.
func bufferBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer req.Body.Close()
	return io.ReadAll(req.Body)
}

// send makes one attempt through a retryablehttp.RoundTripper, which retries
// server errors and network failures. retryablehttp's hooks get no context,
// so a client is built per request to bind the request's context (which
// carries tflog's logger) into the retry log lines.
func (t *transport) send(orig *http.Request, body []byte) (*http.Response, error) {
	req := orig.Clone(orig.Context())
	if body != nil {
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		req.ContentLength = int64(len(body))
	}
	var lastErr error
	rc := &retryablehttp.Client{
		HTTPClient:   t.base,
		Logger:       nil, // retryablehttp's default logger writes to stderr
		RetryWaitMin: t.minWait,
		RetryWaitMax: t.maxWait,
		RetryMax:     t.maxRetries,
		CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			lastErr = err
			if ue, ok := err.(*url.Error); ok {
				lastErr = ue.Err // its text repeats the URL, query included
			}
			return checkRetry(ctx, resp, err)
		},
		Backoff: func(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
			wait := backoff(lo, hi, attempt, resp)
			fields := map[string]any{
				"method":  req.Method,
				"path":    req.URL.Path, // no query: it may carry secrets
				"attempt": attempt + 1,
				"wait":    wait.String(),
			}
			if resp != nil {
				fields["status"] = resp.StatusCode
			} else if lastErr != nil {
				fields["error"] = lastErr.Error()
			}
			t.log(req.Context(), "retrying GitHub API request", fields)
			return wait
		},
		// Hand the last response to go-github so it builds its usual typed
		// error instead of retryablehttp's "giving up after N attempts".
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	resp, err := (&retryablehttp.RoundTripper{Client: rc}).RoundTrip(req)
	if err != nil && resp != nil {
		// Passthrough can return both (e.g. context cancelled after a
		// response arrived); net/http would log to stderr and leak the body.
		resp.Body.Close()
		resp = nil
	}
	return resp, err
}

// checkRetry is retryablehttp's default policy (network errors except
// cancellation, TLS certificate and scheme errors; 5xx except 501) without
// 403 and 429: a rate limit is waited out by RoundTrip on the clock, and any
// other 403 is a permission GitHub will not grant on a second try.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if ctx.Value(callerRetries{}) != nil {
		return false, nil
	}
	if err == nil && (resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusTooManyRequests) {
		return false, nil
	}
	return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
}

type callerRetries struct{}

// CallerRetries marks requests made with ctx as ones the caller retries
// itself: a server error or network failure is returned at once instead of
// sent again. A write that is not idempotent needs it, so that the caller
// can first look whether the failed attempt took effect (GitHub may have
// created the comment and lost only its answer). Rate limits are still
// waited out: GitHub did not process those requests.
func CallerRetries(ctx context.Context) context.Context {
	return context.WithValue(ctx, callerRetries{}, true)
}

// backoff chooses the wait before retrying a server error, capped at hi:
// Retry-After seconds if given, else exponential backoff from lo with jitter.
func backoff(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if secs, ok := retryAfter(resp); ok {
			return min(secs, hi)
		}
	}
	d := lo
	for i := 0; i < attempt && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	// Equal jitter: spread concurrent clients without going past the cap.
	return d/2 + rand.N(d/2+1)
}

// retryAfter parses a Retry-After header given in seconds.
func retryAfter(resp *http.Response) (time.Duration, bool) {
	secs, err := strconv.ParseInt(strings.TrimSpace(resp.Header.Get("Retry-After")), 10, 64)
	if err != nil || secs < 0 {
		return 0, false
	}
	if secs > int64(24*time.Hour/time.Second) { // also avoids overflow
		secs = int64(24 * time.Hour / time.Second)
	}
	return time.Duration(secs) * time.Second, true
}

func isWrite(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// resourceOf is the rate-limit resource a request counts against, as
// go-github and X-RateLimit-Resource name them.
func resourceOf(path string) string {
	switch {
	case strings.HasSuffix(path, "/graphql"):
		return "graphql"
	case strings.Contains(path, "/search/"):
		return "search"
	}
	return "core"
}
