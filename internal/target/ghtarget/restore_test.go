package ghtarget

import (
	"fmt"
	"testing"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/clock"
	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
	"github.com/jitgate/terraform-provider-jit/internal/target"
)

// Restores as GitHub accepts them, each against the fake behaving as
// GitHub does.

// An org member cannot be given less than the org's base role: GitHub
// answers 422. Restoring to a level the base role already gives removes the
// direct grant instead.
func TestRestoreNeverBelowBaseRole(t *testing.T) {
	f := newFake(t)
	f.SetOrgBasePermission("acme", "write")
	f.SetCollaborator("acme", "app", "alice", "push")
	tg := newTarget(t, f)
	s := mustScope(t, "github:repo:acme/app:admin")

	before, _ := grant(t, tg, "alice", s)
	// Her direct push is hidden behind the base role's: taken as the least.
	wantAccess(t, "before", before, target.Access{Level: "push", Direct: "pull"})
	restore(t, tg, "alice", s, before)
	if p, ok := f.Collaborator("acme", "app", "alice"); ok {
		t.Errorf("alice is still a direct collaborator with %q; want the direct grant removed", p)
	}
	if p := f.EffectivePermission("acme", "app", "alice"); p != "push" {
		t.Errorf("alice's effective permission = %q, want push from the base role", p)
	}
	if n := f.Calls("PUT /repos/{owner}/{repo}/collaborators/{username}"); n != 1 {
		t.Errorf("%d PUTs, want only the grant's: the restore must not try a level below the base role", n)
	}
}

// A token that does not see the base role (only owners do) learns it from
// GitHub's 422 and removes the direct grant.
func TestRestoreBelowHiddenBaseRole(t *testing.T) {
	f := newFake(t)
	f.AddUser("carol")
	f.SetOrgMember("acme", "carol", "member")
	f.SetCollaborator("acme", "app", "carol", "admin") // may manage collaborators
	f.AddToken("tok-carol", "carol")
	f.SetOrgBasePermission("acme", "write")
	c, err := ghclient.New(ghclient.Config{Token: "tok-carol", BaseURL: f.URL()})
	if err != nil {
		t.Fatal(err)
	}
	tg := New(c)
	s := mustScope(t, "github:repo:acme/app:maintain")

	before, _ := grant(t, tg, "alice", s)
	wantAccess(t, "before", before, target.Access{Level: "push"})
	// previous_access recorded as pull (an older grant), below the base role.
	restore(t, tg, "alice", s, target.Access{Level: "pull", Direct: "pull"})
	if p, ok := f.Collaborator("acme", "app", "alice"); ok {
		t.Errorf("alice is still a direct collaborator with %q", p)
	}
}

// GitHub lists a child team's members as members of the parent, and reads
// their membership as active member: restoring one must remove the direct
// membership the grant wrote, never write one they never had.
func TestRestoreInheritedMemberRemovesDirectMembership(t *testing.T) {
	f := newFake(t)
	f.AddTeam("acme", "sre")
	f.SetTeamParent("acme", "sre", "admins")
	f.SetTeamMembership("acme", "sre", "alice", "member", "active")
	tg := newTarget(t, f)
	s := mustScope(t, "github:team:acme/admins:maintainer")

	before, after := grant(t, tg, "alice", s)
	wantAccess(t, "before", before, target.Access{Level: "member"})
	wantAccess(t, "after", after, target.Access{Level: "maintainer", Direct: "maintainer"})
	restore(t, tg, "alice", s, before)
	wantTeamMembership(t, f, "alice", "", "")
	got, err := inspect(newTarget(t, f), "alice", s)
	if err != nil {
		t.Fatal(err)
	}
	wantAccess(t, "Inspect after restore", got, target.Access{Level: "member"})

	// Asking the parent's member level of an inherited member writes nothing.
	f.ResetCalls()
	if b, a := grant(t, newTarget(t, f), "alice", mustScope(t, "github:team:acme/admins")); b != a {
		t.Errorf("grant of a held level changed access: %+v -> %+v", b, a)
	}
	if n := writes(f); n != 0 {
		t.Errorf("%d writes, want none", n)
	}
}

// GitHub reads an org owner's team role as maintainer, whatever it is: the
// owner's direct membership is taken as member, so nothing reads a
// maintainer grant that was never written.
func TestOwnerReadsAsMaintainerButHoldsMember(t *testing.T) {
	f := newFake(t)
	f.SetTeamMembership("acme", "admins", "owner", "member", "active")
	tg := newTarget(t, f)
	s := mustScope(t, "github:team:acme/admins:maintainer")

	got, err := inspect(tg, "owner", s)
	if err != nil {
		t.Fatal(err)
	}
	wantAccess(t, "Inspect(owner)", got, target.Access{Level: "maintainer", Direct: "member"})
	before, after := grant(t, tg, "owner", s)
	wantAccess(t, "after", after, before)
	restore(t, tg, "owner", s, before)
	if n := writes(f); n != 0 {
		t.Errorf("%d writes, want none: %v", n, f.AllCalls())
	}
	wantTeamMembership(t, f, "owner", "member", "active")

	// An owner granted membership reads maintainer; the restore removes it.
	f.AddTeam("acme", "ops")
	ops := mustScope(t, "github:team:acme/ops")
	before, after = grant(t, tg, "owner", ops)
	wantAccess(t, "before", before, target.None)
	wantAccess(t, "after", after, target.Access{Level: "maintainer", Direct: "member"})
	restore(t, tg, "owner", ops, before)
	if role, _, ok := f.TeamMembership("acme", "ops", "owner"); ok {
		t.Errorf("owner still in ops as %s", role)
	}
}

// Repository invitations expire after 7 days but stay listed, expired: an
// expired one is no access, and a revocation deletes it.
func TestExpiredInvitationIsNoAccessAndDeletedOnRevoke(t *testing.T) {
	vc := clock.NewVirtual(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC))
	f := githubfake.New(githubfake.WithClock(vc))
	t.Cleanup(f.Close)
	for _, u := range []string{"owner", "bob"} {
		f.AddUser(u)
	}
	f.AddToken(token, "owner")
	f.AddOrg("acme")
	f.SetOrgMember("acme", "owner", "admin")
	f.AddRepo("acme", "app")
	f.InviteCollaborator("acme", "app", "bob", "push")
	vc.Advance(8 * 24 * time.Hour)
	s := mustScope(t, "github:repo:acme/app:push")

	got, err := inspect(newTarget(t, f), "bob", s)
	if err != nil {
		t.Fatal(err)
	}
	wantAccess(t, "Inspect", got, target.None)

	restore(t, newTarget(t, f), "bob", s, target.None)
	if invs := f.Invitations("acme", "app"); len(invs) != 0 {
		t.Errorf("invitations after revoke = %+v, want the expired one deleted", invs)
	}

	// A grant over an expired invitation sends a new one.
	f.InviteCollaborator("acme", "app", "bob", "pull")
	vc.Advance(8 * 24 * time.Hour)
	_, after := grant(t, newTarget(t, f), "bob", s)
	wantAccess(t, "after", after, target.Access{Direct: "push", Pending: true})
	if invs := f.Invitations("acme", "app"); len(invs) != 1 || invs[0].Expired || invs[0].Permission != "push" {
		t.Errorf("invitations = %+v, want one open invitation for push", invs)
	}
}

// Removing a pending team membership leaves the org invitation it came
// with open on GitHub: the revocation cancels it too, unless another
// team's membership still waits on it.
func TestRevokingPendingMembershipCancelsOrgInvitation(t *testing.T) {
	f := newFake(t)
	f.AddTeam("acme", "ops")
	tg := newTarget(t, f)
	admins, ops := mustScope(t, "github:team:acme/admins"), mustScope(t, "github:team:acme/ops")

	_, after := grant(t, tg, "bob", admins)
	wantAccess(t, "after", after, target.Access{Direct: "member", Pending: true})
	if got := f.OrgInvitations("acme"); fmt.Sprint(got) != "[bob]" {
		t.Fatalf("org invitations = %v, want bob's", got)
	}
	grant(t, tg, "bob", ops)
	restore(t, tg, "bob", admins, target.None)
	if got := f.OrgInvitations("acme"); fmt.Sprint(got) != "[bob]" {
		t.Errorf("org invitations = %v, want bob's kept for ops", got)
	}
	restore(t, tg, "bob", ops, target.None)
	if got := f.OrgInvitations("acme"); len(got) != 0 {
		t.Errorf("org invitations = %v, want none once no team waits on it", got)
	}
	wantTeamMembership(t, f, "bob", "", "")
}

// A renamed account is followed by its ID: Inspect and Restore find it
// under its new login, and the new owner of the old login is left alone.
func TestRenamedUserIsFollowedByID(t *testing.T) {
	f := newFake(t)
	s := mustScope(t, "github:team:acme/admins")
	_, _, alice, err := newTarget(t, f).Grant(ctx, target.User{Login: "alice"}, s)
	if err != nil {
		t.Fatal(err)
	}
	if alice.ID != f.UserID("alice") || alice.Login != "alice" {
		t.Fatalf("Grant's user = %+v, want alice with ID %d", alice, f.UserID("alice"))
	}
	f.RenameUser("alice", "alicia")
	f.AddUser("alice")
	f.SetOrgMember("acme", "alice", "member")
	f.SetTeamMembership("acme", "admins", "alice", "member", "active")

	tg := newTarget(t, f)
	got, now, err := tg.Inspect(ctx, alice, s)
	if err != nil {
		t.Fatal(err)
	}
	wantAccess(t, "Inspect", got, member)
	if now != (target.User{ID: alice.ID, Login: "alicia"}) {
		t.Errorf("Inspect's user = %+v, want alicia with alice's old ID", now)
	}
	if _, err := tg.Restore(ctx, alice, s, target.None); err != nil {
		t.Fatal(err)
	}
	wantTeamMembership(t, f, "alicia", "", "")
	wantTeamMembership(t, f, "alice", "member", "active")
}

// Granting and revoking cost one write per elevation plus the lists of each
// team, not reads per elevation. A principal not yet on the team is looked
// up once, for the ID the state records. (35 grants and 35 restores stay
// under GitHub's 80 writes a minute, which two clients do not pace jointly.)
func TestGrantAndRestoreCostOneWriteEach(t *testing.T) {
	f := newFake(t)
	teams := []string{"t0", "t1", "t2", "t3", "t4"}
	for _, team := range teams {
		f.AddTeam("acme", team)
	}
	var logins []string
	for i := range 35 {
		login := fmt.Sprintf("u%02d", i)
		f.AddUser(login)
		f.SetOrgMember("acme", login, "member")
		logins = append(logins, login)
	}
	tg := newTarget(t, f)
	f.ResetCalls()
	users := map[string]target.User{}
	for i, login := range logins {
		_, _, u, err := tg.Grant(ctx, target.User{Login: login}, mustScope(t, "github:team:acme/"+teams[i%5]))
		if err != nil {
			t.Fatal(err)
		}
		users[login] = u
	}
	granted := f.AllCalls()
	t.Logf("grant 35 over 5 teams: %d calls: %v", f.TotalCalls(), granted)
	if n := granted["PUT /orgs/{org}/teams/{team_slug}/memberships/{username}"]; n != 35 {
		t.Errorf("%d PUTs, want 35", n)
	}
	if n := granted["GET /users/{username}"]; n != 35 {
		t.Errorf("%d user lookups, want one per principal", n)
	}
	// Per team: maintainers, members, child teams and the pending
	// invitations (someone asked about is not a member).
	if n := f.TotalCalls() - 70; n != 5*4+1 {
		t.Errorf("%d list calls, want 4 per team and 1 for the org's owners", n)
	}

	tg = newTarget(t, f)
	f.ResetCalls()
	for i, login := range logins {
		if _, err := tg.Restore(ctx, users[login], mustScope(t, "github:team:acme/"+teams[i%5]), target.None); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("restore 35 over 5 teams: %d calls: %v", f.TotalCalls(), f.AllCalls())
	if n := f.Calls("DELETE /orgs/{org}/teams/{team_slug}/memberships/{username}"); n != 35 || f.TotalCalls() != 35+5*3+1 {
		t.Errorf("%d calls with %d DELETEs, want 35 DELETEs, 3 lists per team and the org's owners: %v", f.TotalCalls(), n, f.AllCalls())
	}
}
