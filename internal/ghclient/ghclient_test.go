package ghclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/clock"
)

const testToken = "ghp_s3cr3tT0kenValue"

// logCapture records Config.Logger calls.
type logCapture struct {
	mu    sync.Mutex
	lines []map[string]any
}

func (l *logCapture) log(_ context.Context, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := map[string]any{"msg": msg}
	for k, v := range fields {
		f[k] = v
	}
	l.lines = append(l.lines, f)
}

func (l *logCapture) all() []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]map[string]any(nil), l.lines...)
}

// newTestClient starts srv's handler and returns a fast-retrying client for
// it. Rate-limit waits and pacing run on a virtual clock (cfg.Clock).
func newTestClient(t *testing.T, h http.HandlerFunc, mod func(*Config)) (*github.Client, *logCapture) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	logs := &logCapture{}
	cfg := Config{
		Token:      testToken,
		BaseURL:    srv.URL + "/api/v3",
		UserAgent:  "ghclient-test/1.0",
		MaxRetries: 3,
		MinWait:    time.Millisecond,
		MaxWait:    5 * time.Millisecond,
		Logger:     logs.log,
		Clock:      clock.NewVirtual(time.Now()),
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, logs
}

// call sends method to /api/v3/repos/o/r/thing with an optional JSON body.
func call(ctx context.Context, c *github.Client, method string, body any) (*github.Response, error) {
	req, err := c.NewRequest(method, "repos/o/r/thing", body)
	if err != nil {
		return nil, err
	}
	return c.Do(ctx, req, nil)
}

// respondSequence answers the i-th hit with responses[i] (the last one
// repeats) and counts hits.
type response struct {
	status  int
	headers map[string]string
	body    string
}

func respondSequence(hits *atomic.Int32, responses ...response) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n := int(hits.Add(1)) - 1
		resp := responses[min(n, len(responses)-1)]
		for k, v := range resp.headers {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(resp.status)
		io.WriteString(w, resp.body)
	}
}

func TestRetriesServerErrorAndResendsBody(t *testing.T) {
	var (
		mu     sync.Mutex
		bodies []string
		auths  []string
		agents []string
	)
	var hits atomic.Int32
	c, logs := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		auths = append(auths, r.Header.Get("Authorization"))
		agents = append(agents, r.Header.Get("User-Agent"))
		mu.Unlock()
		if r.Method != http.MethodPut || r.URL.Path != "/api/v3/repos/o/r/thing" {
			t.Errorf("got %s %s", r.Method, r.URL.Path)
		}
		if hits.Add(1) == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		io.WriteString(w, `{}`)
	}, nil)

	payload := map[string]any{"names": []string{"alpha", "beta"}, "private": true}
	if _, err := call(context.Background(), c, http.MethodPut, payload); err != nil {
		t.Fatalf("call: %v", err)
	}

	want := `{"names":["alpha","beta"],"private":true}` + "\n"
	if len(bodies) != 2 {
		t.Fatalf("server hits = %d, want 2", len(bodies))
	}
	for i := range bodies {
		if bodies[i] != want {
			t.Errorf("attempt %d body = %q, want %q", i+1, bodies[i], want)
		}
		if auths[i] != "Bearer "+testToken {
			t.Errorf("attempt %d Authorization = %q", i+1, auths[i])
		}
		if agents[i] != "ghclient-test/1.0" {
			t.Errorf("attempt %d User-Agent = %q", i+1, agents[i])
		}
	}

	lines := logs.all()
	if len(lines) != 1 {
		t.Fatalf("log lines = %v, want 1", lines)
	}
	l := lines[0]
	if l["method"] != "PUT" || l["path"] != "/api/v3/repos/o/r/thing" || l["status"] != 502 || l["attempt"] != 1 {
		t.Errorf("log line = %v", l)
	}
}

func TestRetriesNetworkError(t *testing.T) {
	var hits atomic.Int32
	c, logs := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			conn.Close() // drop the connection without a response
			return
		}
		io.WriteString(w, `{}`)
	}, nil)

	req, err := c.NewRequest(http.MethodGet, "repos/o/r/thing?client_secret=shh", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(context.Background(), req, nil); err != nil {
		t.Fatalf("Do: %v", err)
	}
	if got := hits.Load(); got != 2 {
		t.Errorf("server hits = %d, want 2", got)
	}
	lines := logs.all()
	if len(lines) != 1 || lines[0]["error"] == nil || lines[0]["path"] != "/api/v3/repos/o/r/thing" {
		t.Fatalf("log lines = %v, want one retry with an error", lines)
	}
	if text := fmt.Sprint(lines); strings.Contains(text, "shh") {
		t.Errorf("query leaked into logs: %s", text)
	}
}

const secondaryBody = `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`

// TestWaitsOutRateLimits: each kind of rate-limit answer is waited out on
// the clock for as long as GitHub asks, then the request is sent again.
func TestWaitsOutRateLimits(t *testing.T) {
	start := time.Now().Truncate(time.Second)
	tests := map[string]struct {
		resp     response
		wantWait time.Duration
	}{
		"429 with Retry-After": {response{
			status:  http.StatusTooManyRequests,
			headers: map[string]string{"Retry-After": "7"},
			body:    `{"message":"slow down"}`,
		}, 7 * time.Second},
		"403 secondary limit without Retry-After waits a minute": {response{
			status: http.StatusForbidden,
			body:   secondaryBody,
		}, time.Minute},
		"403 secondary limit with Retry-After": {response{
			status:  http.StatusForbidden,
			headers: map[string]string{"Retry-After": "90"},
			body:    secondaryBody,
		}, 90 * time.Second},
		"403 primary limit waits for the reset": {response{
			status: http.StatusForbidden,
			headers: map[string]string{
				"X-RateLimit-Limit":     "5000",
				"X-RateLimit-Remaining": "0",
				"X-RateLimit-Reset":     fmt.Sprint(start.Add(5 * time.Minute).Unix()),
			},
			body: `{"message":"API rate limit exceeded for user ID 1."}`,
		}, 5*time.Minute + time.Second},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var hits atomic.Int32
			clk := clock.NewVirtual(start)
			c, logs := newTestClient(t, respondSequence(&hits, tc.resp, response{status: 200, body: `{}`}), func(cfg *Config) { cfg.Clock = clk })

			if _, err := call(context.Background(), c, http.MethodGet, nil); err != nil {
				t.Fatalf("call: %v", err)
			}
			if got := hits.Load(); got != 2 {
				t.Errorf("server hits = %d, want 2", got)
			}
			if got := clk.Slept(); got != tc.wantWait {
				t.Errorf("waited %s, want %s", got, tc.wantWait)
			}
			var waits []any
			for _, l := range logs.all() {
				if l["msg"] == "waiting for GitHub's rate limit" {
					waits = append(waits, l["wait"])
				}
			}
			if len(waits) != 1 || waits[0] != tc.wantWait.String() {
				t.Errorf("logged waits %v, want [%s]", waits, tc.wantWait)
			}
		})
	}
}

// TestLastAllowedRequest: GitHub's last allowed request is a 200 with
// X-RateLimit-Remaining 0. go-github alone would refuse every later request
// locally until the reset; the client instead waits for the reset when it
// is within the budget, and otherwise fails at once naming the reset time,
// without sending.
func TestLastAllowedRequest(t *testing.T) {
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for name, tc := range map[string]struct {
		resetIn  time.Duration
		wantHits int32
		wantErr  string
	}{
		"reset within the budget": {resetIn: 3 * time.Minute, wantHits: 2},
		"reset beyond the budget": {resetIn: 47 * time.Minute, wantHits: 1, wantErr: "primary rate limit for this token is used up until 2026-03-01T10:47:01Z"},
	} {
		t.Run(name, func(t *testing.T) {
			clk := clock.NewVirtual(start)
			var hits atomic.Int32
			c, _ := newTestClient(t, respondSequence(&hits,
				response{status: 200, body: `{}`, headers: map[string]string{
					"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": fmt.Sprint(start.Add(tc.resetIn).Unix()),
				}},
				response{status: 200, body: `{}`, headers: map[string]string{"X-RateLimit-Remaining": "4999"}},
			), func(cfg *Config) { cfg.Clock = clk })

			if _, err := call(context.Background(), c, http.MethodGet, nil); err != nil {
				t.Fatalf("the last allowed request: %v", err)
			}
			_, err := call(context.Background(), c, http.MethodGet, nil)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("the request after the reset: %v", err)
			case tc.wantErr != "":
				var rl *RateLimitError
				if !errors.As(err, &rl) || rl.Secondary || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want a *RateLimitError containing %q", err, tc.wantErr)
				}
			}
			if got := hits.Load(); got != tc.wantHits {
				t.Errorf("server hits = %d, want %d", got, tc.wantHits)
			}
			if tc.wantErr == "" && clk.Now().Before(start.Add(tc.resetIn)) {
				t.Errorf("sent at %s, before the reset at %s", clk.Now(), start.Add(tc.resetIn))
			}
		})
	}
}

// TestSecondaryLimitBudget: a secondary limit without Retry-After that does
// not lift is waited out for a minute, then two, then four, and the request
// fails when the next wait would pass the budget, saying so.
func TestSecondaryLimitBudget(t *testing.T) {
	clk := clock.NewVirtual(time.Now())
	var hits atomic.Int32
	c, _ := newTestClient(t, respondSequence(&hits, response{status: http.StatusForbidden, body: secondaryBody}),
		func(cfg *Config) { cfg.Clock = clk })

	_, err := call(context.Background(), c, http.MethodPost, map[string]string{"body": "x"})
	var rl *RateLimitError
	if !errors.As(err, &rl) || !rl.Secondary {
		t.Fatalf("err = %v, want a secondary *RateLimitError", err)
	}
	for _, want := range []string{"secondary rate limit still applies after waiting 7m0s", "at most 10m0s", "You have exceeded a secondary rate limit"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %q, want it to contain %q", err, want)
		}
	}
	if got := clk.Slept(); got != 7*time.Minute {
		t.Errorf("waited %s, want 1m+2m+4m", got)
	}
	if got := hits.Load(); got != 4 {
		t.Errorf("server hits = %d, want 4", got)
	}
}

// TestWritesArePaced: 200 writes in a row never put more than 80 in any
// minute, and reads are not held back.
func TestWritesArePaced(t *testing.T) {
	clk := clock.NewVirtual(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	var mu sync.Mutex
	var writes []time.Time
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			mu.Lock()
			writes = append(writes, clk.Now())
			mu.Unlock()
		}
		io.WriteString(w, `{}`)
	}, func(cfg *Config) { cfg.Clock = clk })

	start := clk.Now()
	for range 200 {
		if _, err := call(context.Background(), c, http.MethodPut, nil); err != nil {
			t.Fatal(err)
		}
	}
	for i := range writes {
		j := i
		for j < len(writes) && writes[j].Sub(writes[i]) < time.Minute {
			j++
		}
		if j-i > 80 {
			t.Fatalf("%d writes within a minute of write %d", j-i, i)
		}
	}
	if took := clk.Now().Sub(start); took < 2*time.Minute || took > 3*time.Minute {
		t.Errorf("200 writes took %s of virtual time, want 80 a minute: just over 2m", took)
	}
	before := clk.Now()
	for range 100 {
		if _, err := call(context.Background(), c, http.MethodGet, nil); err != nil {
			t.Fatal(err)
		}
	}
	if clk.Now() != before {
		t.Errorf("reads waited %s", clk.Now().Sub(before))
	}
}

func TestDoesNotRetryClientErrors(t *testing.T) {
	tests := []response{
		{status: http.StatusNotFound, body: `{"message":"Not Found"}`},
		{status: http.StatusForbidden, body: `{"message":"Resource not accessible by integration"}`},
		{status: http.StatusUnprocessableEntity, body: `{"message":"Validation Failed"}`},
		{status: http.StatusNotImplemented, body: `{"message":"Not Implemented"}`},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			var hits atomic.Int32
			c, logs := newTestClient(t, respondSequence(&hits, tc), nil)

			_, err := call(context.Background(), c, http.MethodPost, map[string]string{"a": "b"})
			var er *github.ErrorResponse
			if !errors.As(err, &er) || er.Response.StatusCode != tc.status || !strings.Contains(tc.body, er.Message) {
				t.Fatalf("err = %#v, want *github.ErrorResponse %d", err, tc.status)
			}
			if got := hits.Load(); got != 1 {
				t.Errorf("server hits = %d, want 1", got)
			}
			if lines := logs.all(); len(lines) != 0 {
				t.Errorf("unexpected retry logs %v", lines)
			}
			if got, want := IsNotFound(err), tc.status == http.StatusNotFound; got != want {
				t.Errorf("IsNotFound = %v, want %v", got, want)
			}
		})
	}
}

func TestExhaustedRetriesReturnTypedError(t *testing.T) {
	var hits atomic.Int32
	c, logs := newTestClient(t, respondSequence(&hits, response{status: http.StatusServiceUnavailable, body: `{"message":"GitHub is down"}`}), nil)

	_, err := call(context.Background(), c, http.MethodGet, nil)
	var e *github.ErrorResponse
	if !errors.As(err, &e) || e.Response.StatusCode != http.StatusServiceUnavailable || e.Message != "GitHub is down" {
		t.Fatalf("err = %T %v; want *github.ErrorResponse 503 %q", err, err, "GitHub is down")
	}
	if got := hits.Load(); got != 4 {
		t.Errorf("server hits = %d, want MaxRetries+1 = 4", got)
	}
	if lines := logs.all(); len(lines) != 3 {
		t.Errorf("retry log lines = %d, want 3", len(lines))
	}
}

func TestNegativeMaxRetriesDisablesRetries(t *testing.T) {
	var hits atomic.Int32
	c, _ := newTestClient(t, respondSequence(&hits, response{status: 500, body: `{}`}), func(cfg *Config) {
		cfg.MaxRetries = -1
	})
	if _, err := call(context.Background(), c, http.MethodGet, nil); err == nil {
		t.Fatal("call succeeded, want error")
	}
	if got := hits.Load(); got != 1 {
		t.Errorf("server hits = %d, want 1", got)
	}
}

func TestTokenNeverLeaks(t *testing.T) {
	var hits atomic.Int32
	c, logs := newTestClient(t, respondSequence(&hits,
		response{status: http.StatusBadGateway, body: `{"message":"bad gateway"}`},
		response{status: http.StatusForbidden, headers: map[string]string{"Retry-After": "0"}, body: `{"message":"secondary rate limit"}`},
		response{status: http.StatusServiceUnavailable, body: `{"message":"unavailable"}`},
	), func(cfg *Config) { cfg.MaxRetries = 1 })

	_, err := call(context.Background(), c, http.MethodPatch, map[string]string{"k": "v"})
	if err == nil {
		t.Fatal("call succeeded, want error")
	}
	text := fmt.Sprintf("%v %+v %#v", err, err, logs.all())
	if strings.Contains(text, testToken) {
		t.Errorf("token leaked: %s", text)
	}
	if len(logs.all()) != 3 {
		t.Errorf("log lines = %v, want 3 (a retry, the limit, a retry)", logs.all())
	}
}

func TestContextCancellationStopsRetrying(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var hits atomic.Int32
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		cancel()
		w.WriteHeader(http.StatusBadGateway)
	}, func(cfg *Config) {
		// Without cancellation the retry would wait far longer than the test.
		cfg.MinWait, cfg.MaxWait = time.Hour, time.Hour
	})

	_, err := call(ctx, c, http.MethodGet, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if got := hits.Load(); got != 1 {
		t.Errorf("server hits = %d, want 1", got)
	}
}

func TestDoesNotRetryTLSCertificateError(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // silence handshake errors
	srv.StartTLS()
	t.Cleanup(srv.Close)
	logs := &logCapture{}
	c, err := New(Config{BaseURL: srv.URL, MinWait: time.Millisecond, MaxWait: time.Millisecond, Logger: logs.log})
	if err != nil {
		t.Fatal(err)
	}

	if _, err := call(context.Background(), c, http.MethodGet, nil); err == nil {
		t.Fatal("call succeeded, want certificate error")
	}
	if lines := logs.all(); len(lines) != 0 {
		t.Errorf("retried on certificate error: %v", lines)
	}
}

func TestNewBaseURL(t *testing.T) {
	tests := map[string]string{
		"":                             "https://api.github.com/",
		"https://api.github.com":       "https://api.github.com/",
		"https://ghe.example/api/v3/":  "https://ghe.example/api/v3/",
		"https://ghe.example/api/v3":   "https://ghe.example/api/v3/",
		"http://127.0.0.1:8080/prefix": "http://127.0.0.1:8080/prefix/",
	}
	for in, want := range tests {
		c, err := New(Config{BaseURL: in})
		if err != nil {
			t.Errorf("New(%q): %v", in, err)
			continue
		}
		if got := c.BaseURL.String(); got != want {
			t.Errorf("New(%q).BaseURL = %q, want %q", in, got, want)
		}
	}
}

func TestNewRejectsInvalidConfig(t *testing.T) {
	tests := map[string]struct {
		cfg     Config
		wantErr string
	}{
		"relative":    {Config{BaseURL: "api.github.com/v3"}, `"api.github.com/v3"`},
		"bad scheme":  {Config{BaseURL: "ftp://ghe.example/"}, `"ftp://ghe.example/"`},
		"no host":     {Config{BaseURL: "https:///api/v3"}, `"https:///api/v3": missing host`},
		"unparseable": {Config{BaseURL: "https://ghe.example/%zz"}, `"https://ghe.example/%zz"`},
		"credentials": {Config{BaseURL: "https://x:" + testToken + "@ghe.example/"}, `"https://x:xxxxx@ghe.example/"`},
		"waits":       {Config{Token: testToken, MinWait: time.Minute, MaxWait: time.Second}, "MinWait=1m0s MaxWait=1s"},
		"budget":      {Config{Token: testToken, RateLimitBudget: -time.Second}, "RateLimitBudget=-1s"},
		"negative":    {Config{Token: testToken, MinWait: -time.Second}, "MinWait=-1s"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if err == nil {
				t.Fatal("New succeeded, want error")
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %q, want it to contain %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("err leaks token: %q", err)
			}
		})
	}
}

// A write the caller retries itself gets a server error back at once, so
// it can first look whether the failed attempt took effect; rate limits are
// still waited out.
func TestCallerRetries(t *testing.T) {
	for _, tc := range []struct {
		name     string
		ctx      context.Context
		wantHits int32
	}{
		{"retried by the client", context.Background(), 4},
		{"left to the caller", CallerRetries(context.Background()), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			c, _ := newTestClient(t, respondSequence(&hits, response{status: http.StatusBadGateway, body: `{"message":"Bad Gateway"}`}), nil)
			if _, err := call(tc.ctx, c, http.MethodPost, map[string]string{"body": "x"}); err == nil {
				t.Fatal("a 502 succeeded")
			}
			if got := hits.Load(); got != tc.wantHits {
				t.Errorf("server hits = %d, want %d", got, tc.wantHits)
			}
		})
	}
	var hits atomic.Int32
	c, _ := newTestClient(t, respondSequence(&hits, response{status: http.StatusForbidden, body: secondaryBody, headers: map[string]string{"Retry-After": "1"}},
		response{status: http.StatusCreated, body: `{}`}), nil)
	if _, err := call(CallerRetries(context.Background()), c, http.MethodPost, map[string]string{"body": "x"}); err != nil || hits.Load() != 2 {
		t.Errorf("secondary limit left to the caller: %v after %d hits", err, hits.Load())
	}
}
