package githubfake

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-github/v60/github"
)

func TestAddCollaboratorInvitesOutsiders(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)

	inv, resp, err := c.Repositories.AddCollaborator(ctx, "acme", "api", "bob", &github.RepositoryAddCollaboratorOptions{Permission: "maintain"})
	mustOK(t, resp, err, http.StatusCreated)
	if inv.GetInvitee().GetLogin() != "bob" || inv.GetPermissions() != "maintain" || inv.GetInviter().GetLogin() != "admin" || inv.GetID() == 0 {
		t.Fatalf("invitation = %+v", inv)
	}
	if _, ok := f.Collaborator("acme", "api", "bob"); ok {
		t.Fatal("an invitee is not a collaborator until they accept")
	}
	if p := f.EffectivePermission("acme", "api", "bob"); p != "" {
		t.Fatalf("invitee has access %q", p)
	}

	// Asking again updates the same invitation.
	inv2, resp, err := c.Repositories.AddCollaborator(ctx, "acme", "api", "bob", &github.RepositoryAddCollaboratorOptions{Permission: "pull"})
	mustOK(t, resp, err, http.StatusCreated)
	if inv2.GetID() != inv.GetID() || inv2.GetPermissions() != "read" {
		t.Fatalf("updated invitation = %+v", inv2)
	}
	invs, _, err := c.Repositories.ListInvitations(ctx, "acme", "api", nil)
	if err != nil || len(invs) != 1 || invs[0].GetPermissions() != "read" {
		t.Fatalf("invitations = %v, %v", invs, err)
	}
	_, _, err = c.Repositories.UpdateInvitation(ctx, "acme", "api", inv.GetID(), "push")
	wantStatus(t, err, http.StatusUnprocessableEntity) // invitations use read/write names
	got, _, err := c.Repositories.UpdateInvitation(ctx, "acme", "api", inv.GetID(), "write")
	if err != nil || got.GetPermissions() != "write" {
		t.Fatalf("UpdateInvitation = %v, %v", got, err)
	}
	if want := []Invitation{{ID: inv.GetID(), Login: "bob", Permission: "push"}}; len(f.Invitations("acme", "api")) != 1 || f.Invitations("acme", "api")[0] != want[0] {
		t.Fatalf("Invitations = %v", f.Invitations("acme", "api"))
	}

	f.AcceptInvitation("acme", "api", "bob")
	if p, ok := f.Collaborator("acme", "api", "bob"); !ok || p != "push" {
		t.Fatalf("after accepting: %q %v", p, ok)
	}
	// An existing collaborator is updated directly.
	_, resp, err = c.Repositories.AddCollaborator(ctx, "acme", "api", "bob", &github.RepositoryAddCollaboratorOptions{Permission: "triage"})
	mustOK(t, resp, err, http.StatusNoContent)
	if p, _ := f.Collaborator("acme", "api", "bob"); p != "triage" {
		t.Fatalf("permission = %q", p)
	}
}

func TestAddCollaboratorOrgMemberIsDirect(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	inv, resp, err := c.Repositories.AddCollaborator(ctx, "acme", "api", "alice", &github.RepositoryAddCollaboratorOptions{Permission: "push"})
	mustOK(t, resp, err, http.StatusNoContent)
	if inv != nil && inv.ID != nil {
		t.Fatalf("no invitation expected, got %+v", inv)
	}
	if p, ok := f.Collaborator("acme", "api", "alice"); !ok || p != "push" {
		t.Fatalf("collaborator = %q %v", p, ok)
	}
	resp, err = c.Repositories.RemoveCollaborator(ctx, "acme", "api", "alice")
	mustOK(t, resp, err, http.StatusNoContent)
	if _, ok := f.Collaborator("acme", "api", "alice"); ok {
		t.Fatal("still a collaborator")
	}
	_, _, err = c.Repositories.AddCollaborator(ctx, "acme", "api", "alice", &github.RepositoryAddCollaboratorOptions{Permission: "superuser"})
	wantStatus(t, err, http.StatusUnprocessableEntity)
	_, _, err = c.Repositories.AddCollaborator(ctx, "acme", "nope", "alice", nil)
	wantStatus(t, err, http.StatusNotFound)
}

func TestDeleteInvitation(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	inv, _, err := c.Repositories.AddCollaborator(ctx, "acme", "api", "bob", nil)
	if err != nil || inv.GetPermissions() != "write" {
		t.Fatalf("default permission: %v, %v", inv, err)
	}
	resp, err := c.Repositories.DeleteInvitation(ctx, "acme", "api", inv.GetID())
	mustOK(t, resp, err, http.StatusNoContent)
	if len(f.Invitations("acme", "api")) != 0 {
		t.Fatal("invitation not deleted")
	}
	_, err = c.Repositories.DeleteInvitation(ctx, "acme", "api", inv.GetID())
	wantStatus(t, err, http.StatusNotFound)
}

func TestEffectivePermissionThroughTeam(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	f.SetTeamMembership("acme", "platform", "alice", "member", "active")
	f.SetTeamRepoPermission("acme", "platform", "acme", "api", "maintain")
	f.SetCollaborator("acme", "api", "alice", "pull")

	lvl, _, err := c.Repositories.GetPermissionLevel(ctx, "acme", "api", "alice")
	if err != nil || lvl.GetPermission() != "write" {
		t.Fatalf("legacy permission = %v, %v; maintain reads as write", lvl, err)
	}
	var raw struct {
		Permission string `json:"permission"`
		RoleName   string `json:"role_name"`
	}
	if err := json.NewDecoder(rawGet(t, f, "repos/acme/api/collaborators/alice/permission").Body).Decode(&raw); err != nil || raw.RoleName != "maintain" {
		t.Fatalf("role_name = %+v, %v", raw, err)
	}
	if p := f.EffectivePermission("acme", "api", "alice"); p != "maintain" {
		t.Fatalf("EffectivePermission = %q", p)
	}
	if p, _ := f.Collaborator("acme", "api", "alice"); p != "pull" {
		t.Fatalf("direct permission = %q", p)
	}

	lvl, _, err = c.Repositories.GetPermissionLevel(ctx, "acme", "api", "bob")
	if err != nil || lvl.GetPermission() != "none" {
		t.Fatalf("no access = %v, %v", lvl, err)
	}
	_, _, err = c.Repositories.GetPermissionLevel(ctx, "acme", "api", "ghost")
	wantStatus(t, err, http.StatusNotFound)

	// A pending team member gets nothing from the team.
	f.AddUser("carol")
	f.SetTeamMembership("acme", "platform", "carol", "member", "pending")
	if p := f.EffectivePermission("acme", "api", "carol"); p != "" {
		t.Fatalf("pending member has %q", p)
	}
	// Org base permission applies to members, ownership gives admin.
	f.SetOrgBasePermission("acme", "read")
	f.AddUser("dave")
	f.SetOrgMember("acme", "dave", "member")
	if p := f.EffectivePermission("acme", "api", "dave"); p != "pull" {
		t.Fatalf("base permission gives %q", p)
	}
	if p := f.EffectivePermission("acme", "api", "admin"); p != "admin" {
		t.Fatalf("org owner has %q", p)
	}
}

func TestListCollaboratorsAffiliation(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	f.SetTeamMembership("acme", "platform", "alice", "member", "active")
	f.SetTeamRepoPermission("acme", "platform", "acme", "api", "push")
	f.SetCollaborator("acme", "api", "bob", "triage")

	list := func(opts *github.ListCollaboratorsOptions) map[string]string {
		t.Helper()
		users, _, err := c.Repositories.ListCollaborators(ctx, "acme", "api", opts)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, u := range users {
			out[u.GetLogin()] = u.GetRoleName()
		}
		return out
	}
	if got := list(nil); len(got) != 3 || got["admin"] != "admin" || got["alice"] != "write" || got["bob"] != "triage" {
		t.Errorf("all = %v", got)
	}
	if got := list(&github.ListCollaboratorsOptions{Affiliation: "direct"}); len(got) != 1 || got["bob"] != "triage" {
		t.Errorf("direct = %v", got)
	}
	if got := list(&github.ListCollaboratorsOptions{Affiliation: "outside"}); len(got) != 1 || got["bob"] == "" {
		t.Errorf("outside = %v", got)
	}
	if got := list(&github.ListCollaboratorsOptions{Permission: "push"}); len(got) != 2 || got["bob"] != "" {
		t.Errorf("push or higher = %v", got)
	}

	// An org member who is also a direct collaborator is direct but not
	// outside, and is listed with their effective (team) permission.
	f.SetCollaborator("acme", "api", "alice", "pull")
	got := list(&github.ListCollaboratorsOptions{Affiliation: "direct"})
	if got["alice"] != "write" {
		t.Errorf("direct = %v", got)
	}
	if got := list(&github.ListCollaboratorsOptions{Affiliation: "outside"}); got["alice"] != "" {
		t.Errorf("outside = %v", got)
	}
	users, _, _ := c.Repositories.ListCollaborators(ctx, "acme", "api", &github.ListCollaboratorsOptions{Affiliation: "direct"})
	for _, u := range users {
		if u.GetLogin() == "alice" && (!u.GetPermissions()["push"] || u.GetPermissions()["maintain"]) {
			t.Errorf("permissions = %v", u.GetPermissions())
		}
	}

	isCollab, _, err := c.Repositories.IsCollaborator(ctx, "acme", "api", "alice")
	if err != nil || !isCollab {
		t.Errorf("IsCollaborator = %v, %v", isCollab, err)
	}
}

func TestUserOwnedRepo(t *testing.T) {
	f := newFake(t)
	f.AddToken("tok-bob", "bob")
	c := client(t, f, "tok-bob")
	f.AddRepo("bob", "dotfiles")
	_, _, err := client(t, f, adminToken).Repositories.Get(ctx, "bob", "dotfiles")
	wantStatus(t, err, http.StatusNotFound) // private, and admin has no access
	inv, resp, err := c.Repositories.AddCollaborator(ctx, "bob", "dotfiles", "alice", nil)
	mustOK(t, resp, err, http.StatusCreated)
	if inv.GetInvitee().GetLogin() != "alice" {
		t.Fatalf("invitation = %v", inv)
	}
	_, _, err = c.Repositories.AddCollaborator(ctx, "bob", "dotfiles", "bob", nil)
	wantStatus(t, err, http.StatusUnprocessableEntity)
	users, _, err := c.Repositories.ListCollaborators(ctx, "bob", "dotfiles", nil)
	if err != nil || len(users) != 1 || users[0].GetLogin() != "bob" || users[0].GetRoleName() != "admin" {
		t.Fatalf("collaborators = %v, %v", users, err)
	}
	repo, _, err := c.Repositories.Get(ctx, "bob", "dotfiles")
	if err != nil || repo.GetFullName() != "bob/dotfiles" || repo.GetOwner().GetType() != "User" {
		t.Fatalf("repo = %v, %v", repo, err)
	}
}

func TestRepoTeams(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	f.SetTeamRepoPermission("acme", "platform", "acme", "api", "push")
	teams, _, err := c.Repositories.ListTeams(ctx, "acme", "api", nil)
	if err != nil || len(teams) != 1 || teams[0].GetPermission() != "push" || !teams[0].Permissions["push"] {
		t.Fatalf("teams = %v, %v", teams, err)
	}
}
