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
)

// transport retries GitHub requests via go-retryablehttp.
type transport struct {
	base       *http.Client // shared, pooled connections
	maxRetries int
	minWait    time.Duration
	maxWait    time.Duration
	log        func(ctx context.Context, msg string, fields map[string]any)
	clock      interface{ Now() time.Time }
}

// RoundTrip sends req through a retryablehttp.RoundTripper, which buffers the
// request body once and re-sends it on every attempt. retryablehttp's hooks
// get no context, so a client is built per request to bind the request's
// context (which carries tflog's logger) into the retry log lines.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
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
			wait := t.backoff(lo, hi, attempt, resp)
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

// checkRetry extends retryablehttp's default policy (network errors except
// cancellation, TLS certificate and scheme errors; 429; 5xx except 501) with
// GitHub's rate-limit 403s.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err == nil && resp.StatusCode == http.StatusForbidden {
		return isRateLimited(resp), nil
	}
	return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
}

// isRateLimited reports whether a 403 is a primary or secondary rate limit
// rather than a permission error.
func isRateLimited(resp *http.Response) bool {
	if resp.Header.Get("X-RateLimit-Remaining") == "0" || resp.Header.Get("Retry-After") != "" {
		return true
	}
	return bytes.Contains(bytes.ToLower(peekBody(resp, 64<<10)), []byte("secondary rate limit"))
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

// backoff chooses the wait before retry attempt+1, capped at hi: Retry-After
// seconds if given; else, when the primary rate limit is used up, until
// X-RateLimit-Reset plus a second of slack for clock skew; else exponential
// backoff from lo with jitter.
func (t *transport) backoff(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if secs, err := strconv.ParseInt(strings.TrimSpace(resp.Header.Get("Retry-After")), 10, 64); err == nil && secs >= 0 {
			if secs > int64(hi/time.Second) { // also avoids overflow
				return hi
			}
			return time.Duration(secs) * time.Second
		}
		if resp.Header.Get("X-RateLimit-Remaining") == "0" {
			if reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
				wait := time.Unix(reset, 0).Sub(t.clock.Now()) + time.Second
				return max(min(wait, hi), 0)
			}
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
