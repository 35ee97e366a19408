package check

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/doctor/doctortest"
	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
)

// applyRun merges a reviewed pull request into a repository set up as s and
// checks the plan in apply mode, as apply.yml does.
func applyRun(t *testing.T, s *doctortest.Setup) (gate.Report, *githubfake.Fake, error) {
	t.Helper()
	f := githubfake.New()
	t.Cleanup(f.Close)
	head := s.Load(f)
	f.AddTeam("acme", "sre") // an approver of the plan's policy
	n := f.AddPullRequest("acme", "infra", githubfake.PullRequest{Author: "alice", BaseSHA: head})
	f.AddCommit("acme", "infra", n, "00000000000000000000000000000000000000a1", "alice", "alice")
	f.AddReview("acme", "infra", n, "lead", gate.StateApproved, "")
	merge := f.PushCommit("acme", "infra", githubfake.RepoCommit{Parents: []string{head}, Author: "lead", Branch: "main",
		Message: fmt.Sprintf("Merge pull request #%d", n), Files: map[string]string{"main.tf": "# changed\n"}})
	f.MergePR("acme", "infra", n, merge)
	f.ResetCalls()
	cfg := Config{
		PlanPath: "../../testdata/plans/expired.json", Mode: gate.ModeApply, Owner: "acme", Repo: "infra", MergeCommit: merge, Now: time.Now(),
		Client: func() (*github.Client, error) {
			return ghclient.New(ghclient.Config{Token: doctortest.Token, BaseURL: f.URL(), MaxRetries: -1})
		},
	}
	var stderr strings.Builder
	r, err := Run(context.Background(), cfg, Output{Format: "json", Stdout: io.Discard, Stderr: &stderr})
	if stderr.Len() > 0 {
		t.Log(stderr.String())
	}
	return r, f, err
}

func good(t *testing.T) *doctortest.Setup {
	t.Helper()
	s, err := doctortest.Good("../../examples/workflows")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Apply mode passes only on a repository the gate cannot be bypassed in, and
// blocks with trust.anchor, point by point, on one it can.
func TestApplyChecksTheTrustAnchor(t *testing.T) {
	r, f, err := applyRun(t, good(t))
	if err != nil || r.Verdict != gate.VerdictPass {
		t.Fatalf("set up well: verdict %s, %v, violations %+v", r.Verdict, err, r.Violations)
	}
	calls := f.AllCalls()
	t.Logf("check --mode apply: %d API calls: %v", f.TotalCalls(), calls)
	for route, n := range map[string]int{
		"GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls":   1, // the merged pull request
		"GET /repos/{owner}/{repo}/pulls/{pull_number}":          1,
		"GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews":  1,
		"GET /repos/{owner}/{repo}/pulls/{pull_number}/commits":  1,
		"GET /repos/{owner}/{repo}/activity":                     1,
		"GET /repos/{owner}/{repo}/rules/branches/{branch}":      1,
		"GET /repos/{owner}/{repo}/rulesets/{ruleset_id}":        1,
		"GET /repos/{owner}/{repo}/branches/{branch}/protection": 1,
		"GET /repos/{owner}/{repo}/git/trees/{tree_sha}":         1,
		"GET /repos/{owner}/{repo}/environments":                 1,
	} {
		if calls[route] != n {
			t.Errorf("%s: %d calls, want %d", route, calls[route], n)
		}
	}

	weak := good(t)
	weak.Rulesets[0].BypassActors = []githubfake.BypassActor{{ActorID: 5, ActorType: "RepositoryRole"}}
	weak.Environments = weak.Environments[1:]
	r, _, err = applyRun(t, weak)
	if err != nil || r.Verdict != gate.VerdictBlocked {
		t.Fatalf("weak: verdict %s, %v", r.Verdict, err)
	}
	var points []string
	for _, v := range r.Violations {
		if v.Rule != gate.RuleTrustAnchor {
			t.Errorf("unexpected violation %+v", v)
		}
		point, _, _ := strings.Cut(v.Message, ":")
		points = append(points, point)
		if !strings.Contains(v.Message, "; fix: ") {
			t.Errorf("no fix in %q", v.Message)
		}
	}
	if !slices.Equal(points, []string{"branch.bypass", "environment.apply"}) {
		t.Errorf("trust.anchor points %v, want branch.bypass and environment.apply", points)
	}

	// What cannot be read is an error, never a pass.
	hidden := good(t)
	hidden.Permissions["administration"] = "read"
	if r, _, err := applyRun(t, hidden); err != nil || r.Verdict != gate.VerdictError {
		t.Errorf("bypass lists hidden: verdict %s, %v", r.Verdict, err)
	}
}
