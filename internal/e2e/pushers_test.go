package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
)

// Who pushed to a pull request comes from GitHub's record of pushes, not from
// the e-mails in the commits: an approver who pushes a commit under an e-mail
// linked to no account (or to someone else's) still does not count.
func TestPushersDoNotApprove(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.apply(t, oncallPolicy)
	planJSON := w.plan(t, oncallPolicy+elevation{}.String())

	tests := []struct {
		name       string
		pusher     string // who pushes the second commit, authored by author
		author     string // "" is an e-mail GitHub links to no account
		code       int
		rules      []string
		approvedBy []string
		notCounted []gate.NotCounted
	}{
		{name: "blocked: carol pushed an unlinked commit", pusher: "carol", code: 1, rules: []string{gate.RuleApprovalInsufficient},
			approvedBy: []string{"bob"}, notCounted: []gate.NotCounted{{Login: "carol", Why: gate.WhyPusher}}},
		{name: "blocked: carol pushed a commit in bob's name", pusher: "carol", author: "bob", code: 1, rules: []string{gate.RuleApprovalInsufficient},
			approvedBy: []string{}, notCounted: []gate.NotCounted{{Login: "bob", Why: gate.WhyCommitter}, {Login: "carol", Why: gate.WhyPusher}}},
		{name: "blocked: alice pushed a commit carol wrote", pusher: "alice", author: "carol", code: 1, rules: []string{gate.RuleApprovalInsufficient},
			approvedBy: []string{"bob"}, notCounted: []gate.NotCounted{{Login: "carol", Why: gate.WhyCommitter}}},
		{name: "pass: the author pushed an unlinked commit", pusher: "alice", code: 0, approvedBy: []string{"bob", "carol"}, notCounted: []gate.NotCounted{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := w.gh.AddPullRequest("acme", "infra", githubfake.PullRequest{Author: "alice", Title: "Request access"})
			w.gh.AddCommit("acme", "infra", n, sha(n, 1), "alice", "alice")
			w.gh.PushToPull("acme", "infra", n, githubfake.PullPush{Pusher: tt.pusher,
				Commits: []githubfake.SeedCommit{{SHA: sha(n, 2), Author: tt.author, Committer: tt.author}}})
			w.gh.AddReview("acme", "infra", n, "bob", gate.StateApproved, "")
			w.gh.AddReview("acme", "infra", n, "carol", gate.StateApproved, "")

			r := w.gate(t, planJSON, nil, prFlag(n))
			r.expect(t, tt.code, tt.rules...)
			if len(r.report.Elevations) != 1 {
				t.Fatalf("elevations = %+v", r.report.Elevations)
			}
			el := r.report.Elevations[0]
			if !slices.Equal(el.ApprovedBy, tt.approvedBy) || fmt.Sprint(el.NotCounted) != fmt.Sprint(tt.notCounted) {
				t.Errorf("approved by %v, not counted %v; want %v, %v", el.ApprovedBy, el.NotCounted, tt.approvedBy, tt.notCounted)
			}
		})
	}
}

// When GitHub cannot say who pushed, the gate does not guess: a pull request
// from a fork whose activity the token cannot read is an error, not a pass.
func TestPushersUnknownFailClosed(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.apply(t, oncallPolicy)
	planJSON := w.plan(t, oncallPolicy+elevation{}.String())

	w.gh.AddRepo("carol", "infra") // carol's fork, which the gate's installation does not reach
	n := w.gh.AddPullRequest("acme", "infra", githubfake.PullRequest{Author: "carol", HeadRepo: "carol/infra", HeadRef: "main"})
	w.gh.AddCommit("acme", "infra", n, sha(n, 1), "", "")
	w.gh.AddReview("acme", "infra", n, "bob", gate.StateApproved, "")
	w.gh.AddReview("acme", "infra", n, "dave", gate.StateApproved, "")

	r := w.gate(t, planJSON, nil, prFlag(n))
	r.expect(t, 2)
	if want := "cannot tell who pushed to it"; !strings.Contains(r.output, want) {
		t.Errorf("output does not say %q:\n%s", want, r.output)
	}
}
