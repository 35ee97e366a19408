package e2e

import (
	"strings"
	"testing"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
)

// protectedBase is the commit at the head of acme/infra's main in the seed,
// with its ruleset, CODEOWNERS and environments: the gate cannot be bypassed
// there, so apply mode's trust.anchor passes. Every workspace builds on it.
const protectedBase = "cafe000000000000000000000000000000000000"

// Apply mode grants nothing on a repository where the gate could have been
// gone around, however well the pull request was approved.
func TestApplyTrustAnchor(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.apply(t, oncallPolicy)
	planJSON := w.plan(t, oncallPolicy+elevation{}.String())
	merge := w.merge(w.openPR(approvals("bob", "dave")...))
	env := []string{"GITHUB_SHA=" + merge}

	t.Run("pass: protected", func(t *testing.T) {
		w.gate(t, planJSON, env, "--mode=apply").expect(t, 0)
	})
	t.Run("blocked: the apply environment open to every branch", func(t *testing.T) {
		w.gh.SetEnvironment("acme", "infra", githubfake.Environment{Name: "jit-apply"})
		r := w.gate(t, planJSON, env, "--mode=apply")
		r.expect(t, 1, gate.RuleTrustAnchor)
		if v := r.report.Violations[0]; !strings.HasPrefix(v.Message, `environment.apply: environment "jit-apply" may be used from any branch; fix: Settings → Environments → jit-apply`) {
			t.Errorf("violation %q", v.Message)
		}
		w.gh.SetEnvironment("acme", "infra", githubfake.Environment{Name: "jit-apply", Branches: "custom", BranchPolicies: []githubfake.BranchPolicy{{Name: "main"}}})
	})
	t.Run("blocked: an admin may bypass the ruleset", func(t *testing.T) {
		id := w.gh.AddRuleset("acme", "infra", githubfake.Ruleset{Name: "ci", Include: []string{"~DEFAULT_BRANCH"},
			BypassActors: []githubfake.BypassActor{{ActorID: 5, ActorType: "RepositoryRole"}}, Rules: []githubfake.Rule{{Type: "required_linear_history"}}})
		// A second ruleset whose bypass covers only its own rule weakens nothing.
		w.gate(t, planJSON, env, "--mode=apply").expect(t, 0)
		w.gh.RemoveRuleset("acme", "infra", id)
	})
	t.Run("error: the bypass lists hidden from the token", func(t *testing.T) {
		w.gh.AddInstallationToken(token, githubfake.Installation{App: "jit-gate", Account: "acme",
			Permissions: map[string]string{"members": "write", "administration": "read", "contents": "read", "issues": "write", "pull_requests": "write", "actions": "read"}})
		r := w.gate(t, planJSON, env, "--mode=apply")
		r.expect(t, 2)
		if !strings.Contains(r.output, "administration=write") {
			t.Errorf("the error does not name the permission:\n%s", r.output)
		}
	})
}
