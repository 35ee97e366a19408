// Package ghclient builds the GitHub API client shared by everything in this
// project that talks to GitHub: a go-github client over go-retryablehttp with
// a retry policy tuned for GitHub's rate limits.
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
)

const (
	defaultBaseURL    = "https://api.github.com/"
	defaultMaxRetries = 4
	defaultMinWait    = time.Second
	defaultMaxWait    = 60 * time.Second
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

	// MaxRetries bounds retries, so a request is sent at most MaxRetries+1
	// times. 0 means 4; a negative value disables retries.
	MaxRetries int

	// MinWait is the exponential backoff base (default 1s): retry n waits a
	// random duration in [d/2, d] where d = MinWait·2ⁿ⁻¹, capped at MaxWait.
	MinWait time.Duration

	// MaxWait caps every single wait (default 60s), including waits asked
	// for by Retry-After or X-RateLimit-Reset. A longer wait requested by
	// GitHub is shortened to MaxWait and the request retried anyway: the
	// total delay stays bounded, and once retries are exhausted go-github
	// remembers the rate limit and fails later calls locally until reset.
	MaxWait time.Duration

	// Logger receives one debug line per retry (method, path, attempt,
	// status or error, wait); the provider passes tflog.Debug. nil discards.
	Logger func(ctx context.Context, msg string, fields map[string]any)

	// Clock is used to turn X-RateLimit-Reset into a wait; nil means real time.
	Clock interface{ Now() time.Time }
}

// New returns a go-github client for cfg. After retries are exhausted the
// last response is returned to go-github unchanged, so callers get its usual
// typed errors (*github.ErrorResponse, *github.RateLimitError,
// *github.AbuseRateLimitError) with GitHub's status and message.
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
	if t.log == nil {
		t.log = func(context.Context, string, map[string]any) {}
	}
	if t.clock == nil {
		t.clock = systemClock{}
	}

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

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }
