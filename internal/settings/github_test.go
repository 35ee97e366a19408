package settings

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
)

// A repository whose history has the settings at one commit and not at its
// parent, read by a token with contents read access.
func fakeRepo(t *testing.T) (f *githubfake.Fake, without, with string) {
	t.Helper()
	f = githubfake.New()
	t.Cleanup(f.Close)
	f.AddUser("owner")
	f.AddOrg("acme")
	f.SetOrgMember("acme", "owner", "admin")
	f.AddRepo("acme", "infra")
	f.AddToken("tok", "owner")
	without = f.PushCommit("acme", "infra", githubfake.RepoCommit{Files: map[string]string{"main.tf": "# nothing\n"}, Branch: "main"})
	with = f.PushCommit("acme", "infra", githubfake.RepoCommit{Parents: []string{without}, Files: map[string]string{
		Path: "governance_approvers: [carol, \"team:acme/leads\"]\nunguarded_approvals: 2\n",
	}})
	return f, without, with
}

func client(t *testing.T, f *githubfake.Fake, token string) *github.Client {
	t.Helper()
	c, err := ghclient.New(ghclient.Config{Token: token, BaseURL: f.URL(), MaxRetries: -1, MinWait: time.Millisecond, MaxWait: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLoadAtCommit(t *testing.T) {
	f, without, with := fakeRepo(t)
	c := client(t, f, "tok")
	s, err := Load(context.Background(), c, "acme", "infra", with)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Found || s.UnguardedApprovals != 2 || len(s.GovernanceApprovers) != 2 || !strings.Contains(s.Source, with) {
		t.Errorf("settings at %s = %+v", with, s)
	}
	// The same file is read at the commit asked for, not the branch tip.
	s, err = Load(context.Background(), c, "acme", "infra", without)
	if err != nil {
		t.Fatal(err)
	}
	if s.Found || len(s.GovernanceApprovers) != 0 || s.UnguardedApprovals != 1 {
		t.Errorf("settings at %s (no file) = %+v, want the defaults", without, s)
	}
}

// A 404 from a token that cannot see the repository is not "no file": the
// defaults may be looser than the real file (unguarded_approvals 1 < 2).
func TestLoadUnreadableIsAnError(t *testing.T) {
	f, _, with := fakeRepo(t)
	f.AddUser("stranger")
	f.AddToken("stranger-tok", "stranger")
	if s, err := Load(context.Background(), client(t, f, "stranger-tok"), "acme", "infra", with); err == nil {
		t.Fatalf("Load with a token that cannot see the repository = %+v, want an error", s)
	}
	if s, err := Load(context.Background(), client(t, f, "tok"), "acme", "infra", strings.Repeat("f", 40)); err == nil {
		t.Fatalf("Load at a commit that does not exist = %+v, want an error", s)
	}
	if _, err := Load(context.Background(), client(t, f, "tok"), "acme", "infra", ""); err == nil {
		t.Fatal("Load without a commit must be an error")
	}
}
