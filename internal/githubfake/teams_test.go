package githubfake

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"
)

func TestTeamMembershipNotFoundForNonMember(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	_, _, err := c.Teams.GetTeamMembershipBySlug(ctx, "acme", "platform", "alice")
	er := wantStatus(t, err, http.StatusNotFound)
	if er.Message != "Not Found" || er.DocumentationURL == "" {
		t.Errorf("error body = %q %q, want GitHub's Not Found body", er.Message, er.DocumentationURL)
	}
	_, _, err = c.Teams.GetTeamBySlug(ctx, "acme", "nope")
	wantStatus(t, err, http.StatusNotFound)
}

func TestAddTeamMembershipOrgMemberIsActive(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	m, resp, err := c.Teams.AddTeamMembershipBySlug(ctx, "acme", "platform", "alice", &github.TeamAddTeamMembershipOptions{Role: "maintainer"})
	mustOK(t, resp, err, http.StatusOK)
	if m.GetState() != "active" || m.GetRole() != "maintainer" {
		t.Fatalf("membership = %s/%s, want active/maintainer", m.GetState(), m.GetRole())
	}
	got, _, err := c.Teams.GetTeamMembershipBySlug(ctx, "acme", "platform", "ALICE")
	if err != nil || got.GetRole() != "maintainer" {
		t.Fatalf("get membership (case-insensitive login) = %v, %v", got, err)
	}
	if role, state, ok := f.TeamMembership("acme", "platform", "alice"); !ok || role != "maintainer" || state != "active" {
		t.Errorf("TeamMembership = %q %q %v", role, state, ok)
	}
}

func TestAddTeamMembershipNonOrgMemberIsPending(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	m, _, err := c.Teams.AddTeamMembershipBySlug(ctx, "acme", "platform", "bob", nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.GetState() != "pending" || m.GetRole() != "member" {
		t.Fatalf("membership = %s/%s, want pending/member", m.GetState(), m.GetRole())
	}

	members, _, err := c.Teams.ListTeamMembersBySlug(ctx, "acme", "platform", nil)
	if err != nil || len(members) != 0 {
		t.Fatalf("members = %v, %v; a pending invitee is not a member", members, err)
	}
	invs, _, err := c.Teams.ListPendingTeamInvitationsBySlug(ctx, "acme", "platform", nil)
	if err != nil || len(invs) != 1 || invs[0].GetLogin() != "bob" || invs[0].GetInviter().GetLogin() != "admin" {
		t.Fatalf("invitations = %v, %v", invs, err)
	}
	om, _, err := c.Organizations.GetOrgMembership(ctx, "bob", "acme")
	if err != nil || om.GetState() != "pending" {
		t.Fatalf("org membership = %v, %v; want pending", om, err)
	}
	if isMember, _, _ := c.Organizations.IsMember(ctx, "acme", "bob"); isMember {
		t.Error("an invitee is not an org member yet")
	}

	// Changing the role keeps the pending state.
	m, _, err = c.Teams.AddTeamMembershipBySlug(ctx, "acme", "platform", "bob", &github.TeamAddTeamMembershipOptions{Role: "maintainer"})
	if err != nil || m.GetState() != "pending" || m.GetRole() != "maintainer" {
		t.Fatalf("role change = %v, %v", m, err)
	}

	f.AcceptOrgInvitation("acme", "bob")
	m, _, err = c.Teams.GetTeamMembershipBySlug(ctx, "acme", "platform", "bob")
	if err != nil || m.GetState() != "active" {
		t.Fatalf("after accepting: %v, %v", m, err)
	}
	invs, _, _ = c.Teams.ListPendingTeamInvitationsBySlug(ctx, "acme", "platform", nil)
	if len(invs) != 0 {
		t.Errorf("invitations after accepting = %v", invs)
	}
	if isMember, _, _ := c.Organizations.IsMember(ctx, "acme", "bob"); !isMember {
		t.Error("accepting makes bob an org member")
	}
}

func TestAddTeamMembershipErrors(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	_, _, err := c.Teams.AddTeamMembershipBySlug(ctx, "acme", "platform", "ghost", nil)
	wantStatus(t, err, http.StatusNotFound)
	_, _, err = c.Teams.AddTeamMembershipBySlug(ctx, "acme", "platform", "alice", &github.TeamAddTeamMembershipOptions{Role: "owner"})
	wantStatus(t, err, http.StatusUnprocessableEntity)
}

func TestRemoveTeamMembership(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	f.SetTeamMembership("acme", "platform", "alice", "member", "active")
	f.SetTeamMembership("acme", "platform", "bob", "member", "pending")

	for _, login := range []string{"alice", "bob"} {
		resp, err := c.Teams.RemoveTeamMembershipBySlug(ctx, "acme", "platform", login)
		mustOK(t, resp, err, http.StatusNoContent)
		if _, _, ok := f.TeamMembership("acme", "platform", login); ok {
			t.Errorf("%s still has a membership", login)
		}
	}
	_, err := c.Teams.RemoveTeamMembershipBySlug(ctx, "acme", "platform", "alice")
	wantStatus(t, err, http.StatusNotFound)

	// Removing the pending membership leaves bob's org invitation open:
	// only cancelling the invitation withdraws it.
	om, _, err := c.Organizations.GetOrgMembership(ctx, "bob", "acme")
	if err != nil || om.GetState() != "pending" {
		t.Fatalf("bob's org membership after removing his pending team membership = %v, %v; want still pending", om, err)
	}
	invs, _, err := c.Organizations.ListPendingOrgInvitations(ctx, "acme", nil)
	if err != nil || len(invs) != 1 || invs[0].GetLogin() != "bob" || invs[0].GetTeamCount() != 0 {
		t.Fatalf("org invitations = %v, %v", invs, err)
	}
	cancel := fmt.Sprintf("orgs/acme/invitations/%d", invs[0].GetID())
	resp, err := do(c, http.MethodDelete, cancel, nil, nil)
	mustOK(t, resp, err, http.StatusNoContent)
	if _, _, err := c.Organizations.GetOrgMembership(ctx, "bob", "acme"); err == nil {
		t.Error("the cancelled invitation still makes bob a pending member")
	}
	_, err = do(c, http.MethodDelete, cancel, nil, nil)
	wantStatus(t, err, http.StatusNotFound)
}

func TestListTeamMembersPaginatesLikeGitHub(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	for i := range 250 {
		login := fmt.Sprintf("user%03d", i)
		f.AddUser(login)
		role := "member"
		if i%10 == 0 {
			role = "maintainer"
		}
		f.SetTeamMembership("acme", "platform", login, role, "active")
	}

	collect := func(opts *github.TeamListTeamMembersOptions) (logins []string, requests int) {
		for {
			users, resp, err := c.Teams.ListTeamMembersBySlug(ctx, "acme", "platform", opts)
			if err != nil {
				t.Fatal(err)
			}
			requests++
			for _, u := range users {
				logins = append(logins, u.GetLogin())
			}
			if resp.NextPage == 0 {
				return logins, requests
			}
			opts.Page = resp.NextPage
		}
	}

	logins, requests := collect(&github.TeamListTeamMembersOptions{ListOptions: github.ListOptions{PerPage: 100}})
	if len(logins) != 250 || requests != 3 || logins[0] != "user000" || logins[249] != "user249" {
		t.Fatalf("got %d members in %d requests", len(logins), requests)
	}
	logins, requests = collect(&github.TeamListTeamMembersOptions{})
	if len(logins) != 250 || requests != 9 {
		t.Fatalf("default page size: got %d members in %d requests, want 250 in 9", len(logins), requests)
	}
	logins, _ = collect(&github.TeamListTeamMembersOptions{Role: "maintainer", ListOptions: github.ListOptions{PerPage: 10}})
	if len(logins) != 25 {
		t.Fatalf("maintainers = %d, want 25", len(logins))
	}
	if got := f.Calls("GET /orgs/{org}/teams/{team_slug}/members"); got != 3+9+3 {
		t.Errorf("calls = %d, want 15", got)
	}

	// per_page is capped at 100, and Link carries the other parameters.
	_, resp, err := c.Teams.ListTeamMembersBySlug(ctx, "acme", "platform", &github.TeamListTeamMembersOptions{Role: "member", ListOptions: github.ListOptions{PerPage: 500, Page: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.NextPage != 3 || resp.PrevPage != 1 || resp.FirstPage != 1 || resp.LastPage != 3 {
		t.Errorf("pages next=%d prev=%d first=%d last=%d", resp.NextPage, resp.PrevPage, resp.FirstPage, resp.LastPage)
	}
	link := resp.Header.Get("Link")
	if !strings.Contains(link, "role=member") || !strings.Contains(link, "per_page=500") || !strings.HasPrefix(link, "<"+f.URL()+"orgs/acme/teams/platform/members?") {
		t.Errorf("Link = %s", link)
	}
}

func TestOrgMembershipAndTeams(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	m, _, err := c.Organizations.GetOrgMembership(ctx, "admin", "acme")
	if err != nil || m.GetRole() != "admin" || m.GetState() != "active" {
		t.Fatalf("admin membership = %v, %v", m, err)
	}
	m, _, err = c.Organizations.GetOrgMembership(ctx, "", "acme")
	if err != nil || m.GetUser().GetLogin() != "admin" {
		t.Fatalf("own membership = %v, %v", m, err)
	}
	_, _, err = c.Organizations.GetOrgMembership(ctx, "bob", "acme")
	wantStatus(t, err, http.StatusNotFound)

	f.AddTeam("acme", "Backend")
	teams, _, err := c.Teams.ListTeams(ctx, "acme", nil)
	if err != nil || len(teams) != 2 || teams[0].GetSlug() != "Backend" || teams[1].GetSlug() != "platform" {
		t.Fatalf("teams = %v, %v", teams, err)
	}
	team, _, err := c.Teams.GetTeamBySlug(ctx, "acme", "platform")
	if err != nil || team.GetSlug() != "platform" || team.GetOrganization().GetLogin() != "acme" {
		t.Fatalf("team = %v, %v", team, err)
	}
	members, _, err := c.Organizations.ListMembers(ctx, "acme", &github.ListMembersOptions{Role: "admin"})
	if err != nil || len(members) != 1 || members[0].GetLogin() != "admin" {
		t.Fatalf("admins = %v, %v", members, err)
	}

	// Leaving the org removes the user from its teams, as on GitHub.
	f.SetTeamMembership("acme", "platform", "alice", "member", "active")
	f.SetOrgMember("acme", "alice", "")
	if _, _, ok := f.TeamMembership("acme", "platform", "alice"); ok {
		t.Error("alice is still in the team after leaving the org")
	}
}

func TestUsers(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	u, _, err := c.Users.Get(ctx, "dependabot[bot]")
	if err != nil || u.GetType() != "Bot" || u.GetLogin() != "dependabot[bot]" {
		t.Fatalf("bot = %v, %v", u, err)
	}
	u, _, err = c.Users.Get(ctx, "")
	if err != nil || u.GetLogin() != "admin" || u.GetType() != "User" {
		t.Fatalf("authenticated user = %v, %v", u, err)
	}
	u, _, err = c.Users.Get(ctx, "acme")
	if err != nil || u.GetType() != "Organization" {
		t.Fatalf("org as user = %v, %v", u, err)
	}
	_, _, err = c.Users.Get(ctx, "ghost")
	wantStatus(t, err, http.StatusNotFound)
}
