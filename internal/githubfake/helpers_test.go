package githubfake

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-github/v60/github"
)

const adminToken = "tok-admin"

// newFake returns a fake with org "acme" (owner "admin"), team "platform" and
// repository acme/api, plus users alice (org member), bob (not a member) and
// dependabot[bot].
func newFake(t *testing.T, opts ...Option) *Fake {
	t.Helper()
	f := New(opts...)
	t.Cleanup(f.Close)
	for _, u := range []string{"admin", "alice", "bob"} {
		f.AddUser(u)
	}
	f.AddBot("dependabot[bot]")
	f.AddToken(adminToken, "admin")
	f.AddOrg("acme")
	f.SetOrgMember("acme", "admin", "admin")
	f.SetOrgMember("acme", "alice", "member")
	f.AddTeam("acme", "platform")
	f.AddRepo("acme", "api")
	return f
}

func client(t *testing.T, f *Fake, token string) *github.Client {
	t.Helper()
	c := github.NewClient(nil).WithAuthToken(token)
	u, err := url.Parse(f.URL())
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = u
	c.UserAgent = SelfTestUserAgent
	return c
}

var ctx = context.Background()

// wantStatus asserts that err is a go-github *ErrorResponse with status code.
func wantStatus(t *testing.T, err error, code int) *github.ErrorResponse {
	t.Helper()
	var er *github.ErrorResponse
	if !errors.As(err, &er) {
		t.Fatalf("got error %v (%T), want *github.ErrorResponse with status %d", err, err, code)
	}
	if er.Response.StatusCode != code {
		t.Fatalf("got status %d (%v), want %d", er.Response.StatusCode, er.Message, code)
	}
	return er
}

func mustOK(t *testing.T, resp *github.Response, err error, code int) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if resp.StatusCode != code {
		t.Fatalf("got status %d, want %d", resp.StatusCode, code)
	}
}

// rawGet does an authenticated GET and returns the response.
func rawGet(t *testing.T, f *Fake, path string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("User-Agent", SelfTestUserAgent)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// do sends a request go-github has no method for.
func do(c *github.Client, method, path string, body, into any) (*github.Response, error) {
	req, err := c.NewRequest(method, path, body)
	if err != nil {
		return nil, err
	}
	return c.Do(ctx, req, into)
}

// asError is errors.As for the tests' typed go-github errors.
func asError[T error](err error, target *T) bool { return errors.As(err, target) }
