package e2e

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/revoke"
)

// Drift blocks in drift mode and is only reported in pr mode.
func TestDrift(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	cfg := oncallPolicy + elevation{}.String()
	w.apply(t, cfg)
	pr := prFlag(w.openPR())

	t.Run("drift.unexpected pass: nothing changed outside Terraform", func(t *testing.T) {
		r := w.check(t, cfg, "--mode=drift")
		r.expect(t, 0)
		// The policy sees the grant only at this refresh: reported, expected.
		want := []gate.DriftReport{{Address: "jit_optout_policy.oncall", Attributes: []string{"observed"}}}
		if !reflect.DeepEqual(r.report.Drift, want) {
			t.Errorf("drift = %+v, want %+v", r.report.Drift, want)
		}
	})

	// Someone removes mona from acme/oncall by hand: the refresh marks her
	// elevation revoked.
	w.gh.SetTeamMembership("acme", "oncall", "mona", "", "")
	planJSON := w.plan(t, cfg)
	want := []gate.DriftReport{{Address: "jit_elevation.pager", Attributes: []string{"history", "revoked_at", "status"}}}
	t.Run("drift.unexpected blocked: drift mode", func(t *testing.T) {
		r := w.gate(t, planJSON, nil, "--mode=drift")
		r.expect(t, 1, gate.RuleDriftUnexpected)
		if !reflect.DeepEqual(r.report.Drift, want) {
			t.Errorf("drift = %+v, want %+v", r.report.Drift, want)
		}
	})
	t.Run("drift.unexpected pass: pr mode reports only", func(t *testing.T) {
		r := w.gate(t, planJSON, nil, pr)
		r.expect(t, 0)
		if !reflect.DeepEqual(r.report.Drift, want) {
			t.Errorf("drift = %+v, want %+v", r.report.Drift, want)
		}
	})
}

// Expiry, destroy and access found again are revocations: always allowed,
// and a plan of nothing else is revocation-only.
func TestRevocations(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	pager := elevation{duration: `"3s"`}.String()
	hotfix := elevation{name: "hotfix", principal: `"erin"`, scope: `"github:repo:acme/api:push"`}.String()
	w.apply(t, oncallPolicy+pager+hotfix)
	// Real waiting: nothing moves the provider's clock.
	time.Sleep(3*time.Second + 1500*time.Millisecond)

	// pager has expired; hotfix is removed from the configuration.
	planJSON := w.plan(t, oncallPolicy+pager)
	want := []gate.Revocation{
		{Address: "jit_elevation.hotfix", Principal: "erin", Scope: "github:repo:acme/api:push", Why: gate.RevokeDestroyed},
		{Address: "jit_elevation.pager", Principal: "mona", Scope: "github:team:acme/oncall", Why: gate.RevokeExpired},
	}
	for _, args := range [][]string{{"--mode=drift"}, {prFlag(w.openPR())}} {
		t.Run(fmt.Sprintf("expired and destroyed %v", args), func(t *testing.T) {
			r := w.gate(t, planJSON, nil, args...)
			r.expect(t, 0)
			if !r.report.RevocationOnly || !reflect.DeepEqual(r.report.Revocations, want) {
				t.Errorf("revocation_only %v, revocations %+v; want true, %+v", r.report.RevocationOnly, r.report.Revocations, want)
			}
		})
	}

	w.apply(t, oncallPolicy+pager)
	if _, _, ok := w.gh.TeamMembership("acme", "oncall", "mona"); ok {
		t.Fatal("mona is still in acme/oncall after the expiry was applied")
	}
	// Someone adds mona back by hand. The provider, which sees one
	// elevation at a time, cannot tell that from a newer elevation's grant:
	// the plan leaves it alone, and jit-gate revoke, which reads them all,
	// takes it away (TestRevokeWithoutAPlan).
	w.gh.SetTeamMembership("acme", "oncall", "mona", "member", "active")
	t.Run("found again is left to revoke", func(t *testing.T) {
		// The gate still sees it, as shadow access.
		r := w.check(t, oncallPolicy+pager, "--mode=drift")
		r.expect(t, 1, gate.RuleAccessShadow)
		if len(r.report.Revocations) != 0 {
			t.Errorf("revocations %+v, want none", r.report.Revocations)
		}
		out := w.revoke(t, 0)
		if len(out.Outcomes) != 1 || out.Outcomes[0].Why != revoke.WhyFoundAgain || out.Outcomes[0].Result != revoke.Revoked {
			t.Errorf("revoke outcomes = %+v, want pager found again and revoked", out.Outcomes)
		}
		if _, _, ok := w.gh.TeamMembership("acme", "oncall", "mona"); ok {
			t.Error("mona is still in acme/oncall")
		}
	})
}

// Apply mode judges the PR merged as GITHUB_SHA, on that PR's final head.
func TestApplyMode(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.apply(t, oncallPolicy)
	planJSON := w.plan(t, oncallPolicy+elevation{}.String())

	approvedHead := w.openPR(approvals("bob", "dave")...)
	w.merge(approvedHead)
	// Approved, then alice pushed again before merging.
	pushedAfter := w.openPR(approvals("bob", "dave")...)
	w.gh.AddCommit("acme", "infra", pushedAfter, sha(pushedAfter, 3), "alice", "alice")
	w.merge(pushedAfter)

	apply := func(t *testing.T, pr int) result {
		t.Helper()
		r := w.gate(t, planJSON, []string{"GITHUB_SHA=" + sha(pr, 100)}, "--mode=apply")
		if len(r.report.Elevations) != 1 {
			t.Fatalf("elevations = %+v, want mona's", r.report.Elevations)
		}
		return r
	}
	t.Run("pass: approved on the final head", func(t *testing.T) {
		r := apply(t, approvedHead)
		r.expect(t, 0)
		if r.report.HeadSHA != sha(approvedHead, 2) {
			t.Errorf("head_sha %q, want the PR's last commit %q", r.report.HeadSHA, sha(approvedHead, 2))
		}
	})
	t.Run("blocked: approved before the last push", func(t *testing.T) {
		r := apply(t, pushedAfter)
		r.expect(t, 1, gate.RuleApprovalInsufficient)
		stale := []gate.NotCounted{{Login: "bob", Why: gate.WhyStale}, {Login: "dave", Why: gate.WhyStale}}
		if r.report.HeadSHA != sha(pushedAfter, 3) || !reflect.DeepEqual(r.report.Elevations[0].NotCounted, stale) {
			t.Errorf("head_sha %q, not_counted %+v; want %q, %+v", r.report.HeadSHA, r.report.Elevations[0].NotCounted, sha(pushedAfter, 3), stale)
		}
	})
}

// The gate reads the pull request once, whatever the size of the plan.
func TestAPICallsIndependentOfPlanSize(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	const readers = `
resource "jit_optout_policy" "readers" {
  name               = "readers"
  scopes             = ["github:repo:acme/*:pull"]
  max_duration       = "4h"
  required_approvals = 2
  approvers          = ["bob", "carol", "team:acme/sre"]
}
`
	w.apply(t, readers)
	// The provider plans only principals that are GitHub accounts.
	for i := range 100 {
		w.gh.AddUser(fmt.Sprintf("dev%03d", i))
	}
	pr := prFlag(w.openPR(approvals("bob", "dave")...))
	calls := map[int]int{}
	for _, n := range []int{1, 100} {
		planJSON := w.plan(t, readers+fmt.Sprintf(`
resource "jit_elevation" "reader" {
  count     = %d
  policy_id = jit_optout_policy.readers.id
  principal = format("dev%%03d", count.index)
  scope     = "github:repo:acme/api:pull"
  reason    = "OPS-21 read the API logs for the audit"
  duration  = "1h"
}
`, n))
		w.gh.ResetCalls()
		r := w.gate(t, planJSON, nil, pr)
		calls[n] = w.gh.TotalCalls()
		r.expect(t, 0)
		if len(r.report.Elevations) != n {
			t.Errorf("%d elevations in the report, want %d", len(r.report.Elevations), n)
		}
		t.Logf("%d elevation(s): %d API calls %v", n, calls[n], w.gh.AllCalls())
	}
	t.Logf("API calls of one gate run: %d with 1 elevation, %d with 100", calls[1], calls[100])
	if calls[1] != calls[100] {
		t.Errorf("API calls grow with the plan: %d with 1 elevation, %d with 100", calls[1], calls[100])
	}
}

// A new reason replaces an elevation. In the default order the old grant is
// revoked, then the new one granted, and the access stays. With
// create_before_destroy the provider cannot keep it (the new grant would be
// recorded as held before, then removed by the old one's destroy), so the
// gate refuses that plan.
func TestReplacementKeepsAccess(t *testing.T) {
	for _, createFirst := range []bool{false, true} {
		t.Run(fmt.Sprintf("create_before_destroy=%v", createFirst), func(t *testing.T) {
			t.Parallel()
			w := newWorkspace(t)
			hotfix := func(reason string) string {
				return oncallPolicy + fmt.Sprintf(`
resource "jit_elevation" "hotfix" {
  policy_id = jit_optout_policy.oncall.id
  principal = "erin"
  scope     = "github:repo:acme/api:push"
  reason    = %q
  duration  = "2h"

  lifecycle {
    create_before_destroy = %v
  }
}
`, reason, createFirst)
			}
			w.apply(t, hotfix("OPS-8 hotfix the API"))
			again := hotfix("OPS-9 hotfix the API again")
			if createFirst {
				// The new grant would be made while the old one holds the
				// access, and the old one's destroy would take it away: the
				// gate refuses the plan.
				r := w.check(t, again, prFlag(w.openPR(approvals("bob", "dave")...)))
				r.expect(t, 1, gate.RuleCreateBeforeDestroy)
				return
			}
			w.apply(t, again)
			if got, _ := w.gh.Collaborator("acme", "api", "erin"); got != "push" {
				t.Errorf("after the replacement erin holds %q on acme/api, want push", got)
			}
		})
	}
}
