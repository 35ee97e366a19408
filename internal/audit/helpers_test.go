package audit

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/clock"
	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/seal"
)

const (
	token    = "gate-token"
	prHead   = "1111111111111111111111111111111111111111"
	mergeSHA = "2222222222222222222222222222222222222222"
	mainSHA  = "3333333333333333333333333333333333333333" // the default branch at a scheduled run
)

// sealKey is the seal key of the tests' protected environment.
var sealKey = strings.Repeat("5e", 32)

var applied = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// world is a fake GitHub where alice's pull request was approved by bob
// (and by mona, whom it elevates) and merged as mergeSHA, and a client for
// the gate's account, gatekeeper.
func world(t *testing.T, opts ...githubfake.Option) (*githubfake.Fake, *github.Client, int) {
	t.Helper()
	f := githubfake.New(opts...)
	t.Cleanup(f.Close)
	for _, u := range []string{"alice", "bob", "mona", "carol", "lead", "mallory", "gatekeeper"} {
		f.AddUser(u)
	}
	f.AddOrg("acme")
	f.AddRepo("acme", "infra")
	// The gate's account reads PRs, comments and opens the labelled audit
	// issue: on GitHub that takes push. So does lead, a maintainer, and
	// mallory, who has write access like every engineer.
	f.SetCollaborator("acme", "infra", "gatekeeper", "push")
	f.SetCollaborator("acme", "infra", "lead", "maintain")
	f.SetCollaborator("acme", "infra", "mallory", "push")
	f.AddToken(token, "gatekeeper")
	f.AddToken("lead-token", "lead")
	f.AddToken("mallory-token", "mallory")
	n := f.AddPullRequest("acme", "infra", githubfake.PullRequest{Author: "alice"})
	f.AddCommit("acme", "infra", n, prHead, "alice", "alice")
	f.AddReview("acme", "infra", n, "bob", "APPROVED", prHead)
	f.AddReview("acme", "infra", n, "mona", "APPROVED", prHead)
	// main: a first commit, the merge of an earlier pull request (tell's),
	// then this one's.
	root := f.PushCommit("acme", "infra", githubfake.RepoCommit{Branch: "main", Author: "alice", Message: "init"})
	f.PushCommit("acme", "infra", githubfake.RepoCommit{SHA: earlierSHA, Parents: []string{root}, Branch: "main", Author: "alice", Message: "earlier"})
	f.PushCommit("acme", "infra", githubfake.RepoCommit{SHA: mergeSHA, Parents: []string{earlierSHA}, Branch: "main", Author: "alice", Message: "merge"})
	f.MergePR("acme", "infra", n, mergeSHA)
	return f, clientFor(t, f, token), n
}

func clientFor(t *testing.T, f *githubfake.Fake, tok string) *github.Client {
	t.Helper()
	c, err := ghclient.New(ghclient.Config{Token: tok, BaseURL: f.URL(), MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func keyring(t *testing.T, key, others string) *seal.Keyring {
	t.Helper()
	k, err := seal.ParseKeys(key, others)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// trail is where the tests' records go, as gatekeeper with the seal key.
func trail(t *testing.T) Trail {
	return Trail{Owner: "acme", Repo: "infra", Identity: Identity{Trusted: "gatekeeper"}, Keys: keyring(t, sealKey, "")}
}

var oncall = &policy.Policy{
	ID: "oncall", Name: "oncall", Scopes: []string{"github:team:acme/oncall"}, MaxDuration: 4 * time.Hour,
	RequiredApprovals: 1, Approvers: []string{"bob", "carol"}, Reason: policy.Reason{MinLength: 20}, GovernanceApprovals: 1,
	BreakGlass: policy.BreakGlass{Enabled: true, MaxDuration: time.Hour, ReviewWithin: time.Hour},
}

func res(name string) plan.Resource {
	return plan.Resource{Address: "jit_elevation." + name, Mode: "managed", Type: plan.TypeElevation, Name: name}
}

// applyPlan grants mona oncall for 2h, and revokes carol's expired grant.
func applyPlan() *plan.Plan {
	old := &policy.Elevation{ID: "elev-old", PolicyID: "oncall", Principal: "carol", Scope: "github:team:acme/oncall", Reason: "earlier incident, long gone",
		Duration: time.Hour, Status: "active", GrantedAt: "2026-02-28T09:00:00Z", ExpiresAt: "2026-02-28T10:00:00Z"}
	expired := *old
	expired.Status, expired.Unknown = "expired", []string{"history", "revoked_at"}
	return &plan.Plan{
		Policies: []plan.PolicyChange{{Resource: plan.Resource{Address: "jit_optout_policy.oncall", Type: plan.TypePolicy}, Action: plan.ActionNoOp, Before: oncall, After: oncall}},
		Elevations: []plan.ElevationChange{
			{Resource: res("mona"), Action: plan.ActionCreate, After: &policy.Elevation{PolicyID: "oncall", Principal: "mona", Scope: "github:team:acme/oncall",
				Reason: "pager storm on payments @lead", Ticket: "INC-4711", Duration: 2 * time.Hour,
				Unknown: []string{"expires_at", "granted_at", "granted_by_commit", "history", "id", "status"}}},
			{Resource: res("carol"), Action: plan.ActionUpdate, Changed: []string{"history", "revoked_at", "status"}, Before: old, After: &expired},
		},
	}
}

// revocationPlan is applyPlan's revocation alone.
func revocationPlan() *plan.Plan {
	p := applyPlan()
	p.Elevations = p.Elevations[1:]
	return p
}

// grantPlan is applyPlan's grant alone.
func grantPlan() *plan.Plan {
	p := applyPlan()
	p.Elevations = p.Elevations[:1]
	return p
}

// stateAfter is the state the apply of applyPlan leaves.
func stateAfter() []Grant {
	return []Grant{
		{Address: "jit_elevation.carol", Elevation: policy.Elevation{ID: "elev-old", PolicyID: "oncall", Principal: "carol", Scope: "github:team:acme/oncall", Status: "expired",
			Reason: "earlier incident, long gone", Duration: time.Hour,
			GrantedAt: "2026-02-28T09:00:00Z", ExpiresAt: "2026-02-28T10:00:00Z", RevokedAt: "2026-03-01T10:00:05Z"}},
		{Address: "jit_elevation.mona", Elevation: policy.Elevation{ID: "elev-new", PolicyID: "oncall", Principal: "mona", Scope: "github:team:acme/oncall", Status: "active",
			Reason: "pager storm on payments @lead", Ticket: "INC-4711", Duration: 2 * time.Hour,
			GrantedAt: "2026-03-01T10:00:03Z", ExpiresAt: "2026-03-01T12:00:03Z", GrantedByCommit: mergeSHA}},
	}
}

func run(t *testing.T, p *plan.Plan, state []Grant, outcome string, mode gate.Mode, commit string) RecordRun {
	return RecordRun{Trail: trail(t), Plan: p, State: state, Outcome: outcome, Mode: mode, Commit: commit,
		RunURL: "https://github.com/acme/infra/actions/runs/7", Now: applied.Add(time.Minute), Clock: clock.NewVirtual(applied)}
}

// ledgerIssue returns the one audit-log issue.
func theLog(t *testing.T, f *githubfake.Fake) int {
	t.Helper()
	var found []int
	for _, is := range f.Issues("acme", "infra") {
		for _, l := range is.Labels {
			if l == AuditLabel {
				found = append(found, is.Number)
			}
		}
	}
	if len(found) != 1 {
		t.Fatalf("audit-log issues: %v, want one", found)
	}
	return found[0]
}
