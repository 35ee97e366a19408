package sweep

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
	"github.com/jitgate/terraform-provider-jit/internal/target/ghtarget"
)

const token = "sweeper-token"

// world: team acme/admins and repository acme/app, each with a standing
// principal, an elevated one, a hand-added one and an org owner; the team
// also has a maintainer whose elevation only covers member.
func world(t *testing.T) (*githubfake.Fake, *ghtarget.Target) {
	t.Helper()
	f := githubfake.New()
	t.Cleanup(f.Close)
	for _, u := range []string{"jit-bot", "standing", "elevated", "handadded", "boss", "demoted", "viateam"} {
		f.AddUser(u)
	}
	f.AddToken(token, "jit-bot")
	f.AddOrg("acme")
	f.SetOrgMember("acme", "jit-bot", "admin")
	f.SetOrgMember("acme", "boss", "admin")
	f.AddTeam("acme", "admins")
	for login, role := range map[string]string{"standing": "member", "elevated": "member", "handadded": "member", "boss": "member", "demoted": "maintainer"} {
		f.SetTeamMembership("acme", "admins", login, role, "active")
	}
	f.AddRepo("acme", "app")
	f.SetCollaborator("acme", "app", "handadded", "admin")
	f.AddTeam("acme", "app-admins")
	f.SetTeamMembership("acme", "app-admins", "viateam", "member", "active")
	f.SetTeamRepoPermission("acme", "app-admins", "acme", "app", "admin")
	c, err := ghclient.New(ghclient.Config{Token: token, BaseURL: f.URL(), MaxRetries: 1, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return f, ghtarget.New(c)
}

// refreshedPlan is what the gate sees in a drift-check plan: the policy's
// observed holders, as the provider refreshed them from the fake, and the
// elevations in force.
func refreshedPlan(t *testing.T, tg *ghtarget.Target, exclusive bool) *plan.Plan {
	t.Helper()
	scopes := []string{"github:team:acme/admins", "github:team:acme/admins:maintainer", "github:repo:acme/app:admin"}
	observed := map[string][]string{}
	for _, s := range scopes {
		sc, err := scope.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		hs, err := tg.Holders(context.Background(), sc)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs {
			observed[s] = append(observed[s], h.Login)
		}
	}
	pol := &policy.Policy{ID: "prod", Name: "prod", Scopes: scopes, Observed: observed, Exclusive: exclusive,
		Standing: map[string]string{"standing": "break-glass account"}}
	inForce := func(principal, sc string) plan.ElevationChange {
		el := &policy.Elevation{PolicyID: "prod", Principal: principal, Scope: sc, Status: "active"}
		return plan.ElevationChange{Resource: plan.Resource{Address: "jit_elevation." + principal, Type: plan.TypeElevation}, Action: plan.ActionNoOp, Before: el, After: el}
	}
	return &plan.Plan{
		Policies: []plan.PolicyChange{{Resource: plan.Resource{Address: "jit_optout_policy.prod", Type: plan.TypePolicy}, Action: plan.ActionNoOp, Before: pol, After: pol}},
		Elevations: []plan.ElevationChange{
			inForce("elevated", "github:team:acme/admins"),
			inForce("demoted", "github:team:acme/admins"),
		},
	}
}

func TestSweepRemovesOnlyShadowAccess(t *testing.T) {
	f, tg := world(t)
	p := refreshedPlan(t, tg, true)
	r := gate.Evaluate(p, gate.Facts{}, gate.Options{Mode: gate.ModeDrift})
	removals := Plan(p, r.Shadow)
	got := Apply(context.Background(), tg, removals)

	want := map[string]string{
		"boss github:repo:acme/app:admin": OrgOwner,
		"boss github:team:acme/admins":    OrgOwner,
		// GitHub reads an org owner's team role as maintainer.
		"boss github:team:acme/admins:maintainer":    OrgOwner,
		"demoted github:team:acme/admins:maintainer": Removed,
		"handadded github:repo:acme/app:admin":       Removed,
		"handadded github:team:acme/admins":          Removed,
		"jit-bot github:repo:acme/app:admin":         OrgOwner,
		"viateam github:repo:acme/app:admin":         Indirect,
	}
	results := map[string]string{}
	for _, o := range got {
		results[o.Principal+" "+o.Scope] = o.Result
	}
	for k, w := range want {
		if results[k] != w {
			t.Errorf("%s: result %q, want %q (all: %+v)", k, results[k], w, got)
		}
	}
	if len(results) != len(want) {
		t.Errorf("sweep touched %d holders, want %d: %+v", len(results), len(want), got)
	}

	// What GitHub holds afterwards: standing and elevated untouched, the
	// hand-added member gone, the maintainer without an elevation for it
	// demoted to member, the repository's direct admin removed, the owner kept.
	for login, wantRole := range map[string]string{"standing": "member", "elevated": "member", "demoted": "member", "boss": "member", "handadded": ""} {
		role, _, _ := f.TeamMembership("acme", "admins", login)
		if role != wantRole {
			t.Errorf("acme/admins: %s is %q, want %q", login, role, wantRole)
		}
	}
	if perm, _ := f.Collaborator("acme", "app", "handadded"); perm != "maintain" {
		t.Errorf("acme/app: handadded direct permission %q, want maintain (just below the scope's admin)", perm)
	}
}

func TestSweepIgnoresPoliciesThatAreNotExclusive(t *testing.T) {
	_, tg := world(t)
	p := refreshedPlan(t, tg, false)
	r := gate.Evaluate(p, gate.Facts{}, gate.Options{Mode: gate.ModeDrift})
	if len(r.Shadow) == 0 {
		t.Fatal("the gate found no shadow access to ignore")
	}
	if removals := Plan(p, r.Shadow); len(removals) != 0 {
		t.Errorf("removals for a policy that is not exclusive: %+v", removals)
	}
}

func TestPlanLeavesTheLevelBelowTheScope(t *testing.T) {
	_, tg := world(t)
	p := refreshedPlan(t, tg, true)
	removals := Plan(p, []gate.ShadowAccess{
		{Address: "jit_optout_policy.prod", Scope: "github:team:acme/admins", Principal: "a"},
		{Address: "jit_optout_policy.prod", Scope: "github:team:acme/admins:maintainer", Principal: "b"},
		{Address: "jit_optout_policy.prod", Scope: "github:repo:acme/app:push", Principal: "c"},
	})
	var leave []string
	for _, r := range removals {
		leave = append(leave, r.LeaveAt)
	}
	if !slices.Equal(leave, []string{"", "member", "triage"}) {
		t.Errorf("levels left = %q", leave)
	}
}
