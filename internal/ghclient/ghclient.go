// Package ghclient builds the GitHub API client shared by everything in this
// project that talks to GitHub: a go-github client over go-retryablehttp that
// paces writes under GitHub's secondary rate limits, waits out the primary
// and secondary limits as GitHub asks, and explains GitHub's errors.
package ghclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
	cleanhttp "github.com/hashicorp/go-cleanhttp"

	"github.com/jitgate/terraform-provider-jit/internal/clock"
)

const (
	defaultBaseURL    = "https://api.github.com/"
	defaultMaxRetries = 4
	defaultMinWait    = time.Second
	defaultMaxWait    = 60 * time.Second
	defaultBudget     = 10 * time.Minute
)

// Config configures New. The zero value talks to api.github.com
// unauthenticated with the default retry policy.
type Config struct {
	// Token is sent as "Authorization: Bearer <Token>"; empty means
	// unauthenticated. It is never logged nor included in errors.
	Token string

	// BaseURL is the API root: "" means https://api.github.com/. GitHub
	// Enterprise URLs such as https://ghe.example/api/v3/ are used as given
	// (a trailing slash is added if missing).
	BaseURL string

	// UserAgent, e.g. "terraform-provider-jit/0.1.0"; "" keeps go-github's.
	UserAgent string

	// MaxRetries bounds retries of server errors and network failures, so
	// such a request is sent at most MaxRetries+1 times. 0 means 4; a
	// negative value disables these retries.
	MaxRetries int

	// MinWait is the exponential backoff base for those retries (default
	// 1s): retry n waits a random duration in [d/2, d] where d =
	// MinWait·2ⁿ⁻¹, capped at MaxWait (default 60s), as is a Retry-After.
	MinWait time.Duration
	MaxWait time.Duration

	// RateLimitBudget is the longest one request waits on GitHub's rate
	// limits in all (default 10m): for the primary limit's reset, and after
	// a secondary limit for Retry-After or, without one, for at least a
	// minute, doubling each time. A wait that would go past it fails at
	// once with a *RateLimitError saying which limit and until when.
	// Pacing writes under the secondary limits does not count against it.
	RateLimitBudget time.Duration

	// Logger receives one debug line per retry and per rate-limit wait
	// (method, path, attempt, status or error, wait); the provider passes
	// tflog.Debug. nil discards.
	Logger func(ctx context.Context, msg string, fields map[string]any)

	// Clock tells the time and waits on rate limits and pacing; nil means
	// real time. Tests pass a clock.Virtual shared with the fake GitHub.
	Clock clock.Clock
}

// New returns a go-github client for cfg. Writes (POST, PATCH, PUT, DELETE)
// are paced under GitHub's secondary limits for content-creating requests,
// 80 a minute and 500 an hour, so large applies do not trip them. A request
// that meets a rate limit is sent again once it has passed, within
// RateLimitBudget. After server-error retries are exhausted the last
// response is returned to go-github unchanged, so callers get its usual
// typed errors (*github.ErrorResponse) with GitHub's status and message;
// Explain spells those out for people.
func New(cfg Config) (*github.Client, error) {
	baseURL, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}

	t := &transport{
		base:       cleanhttp.DefaultPooledClient(),
		maxRetries: cfg.MaxRetries,
		minWait:    cfg.MinWait,
		maxWait:    cfg.MaxWait,
		log:        cfg.Logger,
		clock:      cfg.Clock,
	}
	switch {
	case t.maxRetries == 0:
		t.maxRetries = defaultMaxRetries
	case t.maxRetries < 0:
		t.maxRetries = 0
	}
	if t.minWait == 0 {
		t.minWait = defaultMinWait
	}
	if t.maxWait == 0 {
		t.maxWait = defaultMaxWait
	}
	if t.minWait < 0 || t.maxWait < 0 || t.minWait > t.maxWait {
		return nil, fmt.Errorf("ghclient: invalid waits MinWait=%s MaxWait=%s: must be non-negative with MinWait <= MaxWait", t.minWait, t.maxWait)
	}
	budget := cfg.RateLimitBudget
	if budget == 0 {
		budget = defaultBudget
	}
	if budget < 0 {
		return nil, fmt.Errorf("ghclient: invalid RateLimitBudget=%s: must be non-negative", budget)
	}
	if t.log == nil {
		t.log = func(context.Context, string, map[string]any) {}
	}
	if t.clock == nil {
		t.clock = clock.System()
	}
	t.limits = newLimits(t.clock, budget)

	c := github.NewClient(&http.Client{Transport: t})
	c.BaseURL = baseURL
	if cfg.UserAgent != "" {
		c.UserAgent = cfg.UserAgent
	}
	if cfg.Token != "" {
		c = c.WithAuthToken(cfg.Token)
	}
	return c, nil
}

// parseBaseURL validates raw as an absolute http(s) URL and gives it the
// trailing slash go-github requires.
func parseBaseURL(raw string) (*url.URL, error) {
	if raw == "" {
		raw = defaultBaseURL
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("ghclient: invalid BaseURL %q: not a URL", raw)
	}
	switch {
	case u.User != nil:
		// Credentials belong in Token; don't echo them back.
		return nil, fmt.Errorf("ghclient: invalid BaseURL %q: must not contain credentials, use Token", u.Redacted())
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("ghclient: invalid BaseURL %q: must be an absolute http or https URL", raw)
	case u.Host == "":
		return nil, fmt.Errorf("ghclient: invalid BaseURL %q: missing host", raw)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}

// IsNotFound reports whether err is a GitHub API 404.
func IsNotFound(err error) bool {
	var er *github.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound
}
