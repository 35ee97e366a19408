package githubfake

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/clock"
)

// One test per way the fake used to be more lenient than GitHub (issue 10).

// withToken adds a user token for login and returns a client using it.
func withToken(t *testing.T, f *Fake, login string) *github.Client {
	t.Helper()
	tok := "tok-" + login
	f.AddToken(tok, login)
	return client(t, f, tok)
}

func TestCommentEditRights(t *testing.T) {
	f := newFake(t)
	for _, u := range []string{"writer", "reader", "mallory"} {
		f.AddUser(u)
	}
	f.SetCollaborator("acme", "api", "writer", "push")
	f.SetCollaborator("acme", "api", "reader", "triage")
	f.SetCollaborator("acme", "api", "mallory", "pull")
	n := f.AddPullRequest("acme", "api", PullRequest{Author: "mallory"})
	issue := f.AddIssue("acme", "api", Issue{Title: "audit log", Author: "admin"})
	f.AddActionsToken("tok-actions-pr", "acme", "api", map[string]string{"pull-requests": "write"})
	f.AddActionsToken("tok-actions-issues", "acme", "api", map[string]string{"issues": "write"})

	edit := func(c *github.Client, id int64, body string) error {
		_, _, err := c.Issues.EditComment(ctx, "acme", "api", id, &github.IssueComment{Body: &body})
		return err
	}
	onPR := f.AddComment("acme", "api", n, "mallory", "mallory's comment")
	onIssue := f.AddComment("acme", "api", issue, "reader", "reader's comment")

	// Write access and org owners may edit anyone's comment; the author may
	// edit their own; read and triage may not touch others'.
	for _, tc := range []struct {
		c      *github.Client
		id     int64
		who    string
		status int
	}{
		{withToken(t, f, "reader"), onPR, "reader", http.StatusForbidden},
		{withToken(t, f, "mallory"), onIssue, "mallory", http.StatusForbidden},
		{client(t, f, "tok-reader"), onIssue, "reader", http.StatusOK},
		{withToken(t, f, "writer"), onPR, "writer", http.StatusOK},
		{client(t, f, adminToken), onIssue, "admin", http.StatusOK},
		// An installation needs write on issues, or on pull requests for a
		// pull request's comment.
		{client(t, f, "tok-actions-pr"), onIssue, ActionsBot, http.StatusForbidden},
		{client(t, f, "tok-actions-pr"), onPR, ActionsBot, http.StatusOK},
		{client(t, f, "tok-actions-issues"), onIssue, ActionsBot, http.StatusOK},
	} {
		err := edit(tc.c, tc.id, "edited by "+tc.who)
		if tc.status == http.StatusOK {
			if err != nil {
				t.Fatalf("%s editing comment %d: %v", tc.who, tc.id, err)
			}
			number := n
			if tc.id == onIssue {
				number = issue
			}
			for _, cm := range f.Comments("acme", "api", number) {
				if cm.ID == tc.id && (cm.LastEditedBy != tc.who || cm.Body != "edited by "+tc.who || cm.Author == tc.who && tc.who != "reader") {
					t.Errorf("after %s's edit: %+v", tc.who, cm)
				}
			}
			continue
		}
		wantStatus(t, err, tc.status)
	}
	_, err := withToken(t, f, "bob").Issues.DeleteComment(ctx, "acme", "api", onPR)
	wantStatus(t, err, http.StatusNotFound) // bob cannot even see the private repository
	resp, err := client(t, f, "tok-writer").Issues.DeleteComment(ctx, "acme", "api", onPR)
	mustOK(t, resp, err, http.StatusNoContent)
}

func TestInstallationTokensCannotGetUser(t *testing.T) {
	f := newFake(t)
	f.AddActionsToken("tok-actions", "acme", "api", map[string]string{"contents": "read"})
	f.AddInstallationToken("tok-app", Installation{App: "jit-gate", Account: "acme", Permissions: map[string]string{"members": "read"}})
	for _, tok := range []string{"tok-actions", "tok-app"} {
		_, _, err := client(t, f, tok).Users.Get(ctx, "")
		if er := wantStatus(t, err, http.StatusForbidden); er.Message != "Resource not accessible by integration" {
			t.Errorf("%s: message %q", tok, er.Message)
		}
		_, _, err = client(t, f, tok).Organizations.GetOrgMembership(ctx, "", "acme")
		wantStatus(t, err, http.StatusForbidden)
		// Public profiles remain readable.
		if u, _, err := client(t, f, tok).Users.Get(ctx, "alice"); err != nil || u.GetLogin() != "alice" {
			t.Errorf("%s: GET /users/alice = %v, %v", tok, u, err)
		}
	}
	if u, _, err := client(t, f, adminToken).Users.Get(ctx, ""); err != nil || u.GetLogin() != "admin" {
		t.Errorf("a user token: GET /user = %v, %v", u, err)
	}
}

func TestActionsTokenCannotListTeamMembers(t *testing.T) {
	f := newFake(t)
	f.SetTeamMembership("acme", "platform", "alice", "member", "active")
	// Even write-all: no workflow permission gives org members access.
	all := map[string]string{}
	for k := range workflowPermissions {
		all[k] = "write"
	}
	f.AddActionsToken("tok-actions", "acme", "api", all)
	_, resp, err := client(t, f, "tok-actions").Teams.ListTeamMembersBySlug(ctx, "acme", "platform", nil)
	wantStatus(t, err, http.StatusForbidden)
	if got := resp.Header.Get("X-Accepted-GitHub-Permissions"); got != "members=read" {
		t.Errorf("X-Accepted-GitHub-Permissions = %q, want members=read", got)
	}
	_, _, err = client(t, f, "tok-actions").Teams.GetTeamMembershipBySlug(ctx, "acme", "platform", "alice")
	wantStatus(t, err, http.StatusForbidden)

	// A GitHub App with members read may, on the org it is installed on only.
	f.AddInstallationToken("tok-app", Installation{App: "jit-gate", Account: "acme", Permissions: map[string]string{"members": "read"}})
	users, _, err := client(t, f, "tok-app").Teams.ListTeamMembersBySlug(ctx, "acme", "platform", nil)
	if err != nil || len(users) != 1 || users[0].GetLogin() != "alice" {
		t.Fatalf("app: members = %v, %v", users, err)
	}
	_, _, err = client(t, f, "tok-app").Teams.AddTeamMembershipBySlug(ctx, "acme", "platform", "admin", nil)
	wantStatus(t, err, http.StatusForbidden) // read is not write
	f.AddOrg("other")
	f.AddTeam("other", "t")
	_, _, err = client(t, f, "tok-app").Teams.ListTeamMembersBySlug(ctx, "other", "t", nil)
	wantStatus(t, err, http.StatusNotFound)
	// Users see the teams of their own orgs only.
	_, _, err = withToken(t, f, "bob").Teams.ListTeamMembersBySlug(ctx, "acme", "platform", nil)
	wantStatus(t, err, http.StatusNotFound)
	if users, _, err := withToken(t, f, "alice").Teams.ListTeamMembersBySlug(ctx, "acme", "platform", nil); err != nil || len(users) != 1 {
		t.Errorf("an org member: members = %v, %v", users, err)
	}
}

func TestTeamMembersAreManagedByOwnersAndMaintainers(t *testing.T) {
	f := newFake(t)
	f.AddUser("carol")
	f.SetOrgMember("acme", "carol", "member")
	f.SetTeamMembership("acme", "platform", "alice", "maintainer", "active")
	member := withToken(t, f, "carol")
	_, _, err := member.Teams.AddTeamMembershipBySlug(ctx, "acme", "platform", "carol", nil)
	wantStatus(t, err, http.StatusForbidden)
	maintainer := withToken(t, f, "alice")
	if _, _, err := maintainer.Teams.AddTeamMembershipBySlug(ctx, "acme", "platform", "carol", nil); err != nil {
		t.Fatalf("a team maintainer adding an org member: %v", err)
	}
	// Only an owner may invite someone from outside the org.
	_, _, err = maintainer.Teams.AddTeamMembershipBySlug(ctx, "acme", "platform", "bob", nil)
	wantStatus(t, err, http.StatusForbidden)
	if _, err := member.Teams.RemoveTeamMembershipBySlug(ctx, "acme", "platform", "alice"); err == nil {
		t.Error("a plain member removed the maintainer")
	}
	if m, _, err := client(t, f, adminToken).Teams.AddTeamMembershipBySlug(ctx, "acme", "platform", "bob", nil); err != nil || m.GetState() != "pending" {
		t.Fatalf("an owner inviting bob: %v, %v", m, err)
	}
}

func TestInvitationsNeedRepoAdmin(t *testing.T) {
	f := newFake(t)
	f.AddUser("writer")
	f.SetCollaborator("acme", "api", "writer", "maintain")
	f.InviteCollaborator("acme", "api", "bob", "pull")
	id := f.Invitations("acme", "api")[0].ID
	writer := withToken(t, f, "writer")
	_, _, err := writer.Repositories.ListInvitations(ctx, "acme", "api", nil)
	if er := wantStatus(t, err, http.StatusForbidden); er.Message != "Must have admin rights to Repository." {
		t.Errorf("message = %q", er.Message)
	}
	_, _, err = writer.Repositories.UpdateInvitation(ctx, "acme", "api", id, "admin")
	wantStatus(t, err, http.StatusForbidden)
	_, err = writer.Repositories.DeleteInvitation(ctx, "acme", "api", id)
	wantStatus(t, err, http.StatusForbidden)
	_, _, err = writer.Repositories.AddCollaborator(ctx, "acme", "api", "alice", nil)
	wantStatus(t, err, http.StatusForbidden)
	if invs, _, err := client(t, f, adminToken).Repositories.ListInvitations(ctx, "acme", "api", nil); err != nil || len(invs) != 1 {
		t.Fatalf("the owner: %v, %v", invs, err)
	}
	// An installation needs administration read to list, write to change.
	f.AddInstallationToken("tok-ro", Installation{App: "reader", Account: "acme", Permissions: map[string]string{"administration": "read"}})
	if invs, _, err := client(t, f, "tok-ro").Repositories.ListInvitations(ctx, "acme", "api", nil); err != nil || len(invs) != 1 {
		t.Fatalf("administration read: %v, %v", invs, err)
	}
	_, resp, err := client(t, f, "tok-ro").Repositories.UpdateInvitation(ctx, "acme", "api", id, "admin")
	wantStatus(t, err, http.StatusForbidden)
	if got := resp.Header.Get("X-Accepted-GitHub-Permissions"); got != "administration=write" {
		t.Errorf("X-Accepted-GitHub-Permissions = %q", got)
	}
	// Listing collaborators needs push and org membership.
	f.AddUser("outsider")
	f.SetCollaborator("acme", "api", "outsider", "push")
	_, _, err = withToken(t, f, "outsider").Repositories.ListCollaborators(ctx, "acme", "api", nil)
	wantStatus(t, err, http.StatusForbidden)
	f.SetCollaborator("acme", "api", "alice", "triage")
	_, _, err = withToken(t, f, "alice").Repositories.ListCollaborators(ctx, "acme", "api", nil)
	wantStatus(t, err, http.StatusForbidden)
}

func TestBaseRoleShownOnlyToOwners(t *testing.T) {
	f := newFake(t)
	f.SetOrgBasePermission("acme", "write")
	f.AddInstallationToken("tok-admin-app", Installation{App: "settings", Account: "acme", Permissions: map[string]string{"organization_administration": "read"}})
	f.AddInstallationToken("tok-members-app", Installation{App: "members", Account: "acme", Permissions: map[string]string{"members": "read"}})
	for tok, want := range map[string]string{adminToken: "write", "tok-admin-app": "write", "tok-members-app": ""} {
		o, _, err := client(t, f, tok).Organizations.Get(ctx, "acme")
		if err != nil || o.GetDefaultRepoPermission() != want {
			t.Errorf("%s: default_repository_permission = %q, %v; want %q", tok, o.GetDefaultRepoPermission(), err, want)
		}
	}
	o, _, err := withToken(t, f, "alice").Organizations.Get(ctx, "acme")
	if err != nil || o.DefaultRepoPermission != nil {
		t.Errorf("a member sees default_repository_permission = %v (%v)", o.DefaultRepoPermission, err)
	}
}

func TestCollaboratorBelowBaseRole(t *testing.T) {
	f := newFake(t)
	f.SetOrgBasePermission("acme", "write")
	c := client(t, f, adminToken)
	_, _, err := c.Repositories.AddCollaborator(ctx, "acme", "api", "alice", &github.RepositoryAddCollaboratorOptions{Permission: "pull"})
	if er := wantStatus(t, err, http.StatusUnprocessableEntity); er.Message != "Cannot assign alice permission of read" {
		t.Errorf("message = %q", er.Message)
	}
	_, _, err = c.Repositories.AddCollaborator(ctx, "acme", "api", "alice", &github.RepositoryAddCollaboratorOptions{Permission: "triage"})
	wantStatus(t, err, http.StatusUnprocessableEntity)
	if _, ok := f.Collaborator("acme", "api", "alice"); ok {
		t.Fatal("a refused grant was applied")
	}
	if _, resp, err := c.Repositories.AddCollaborator(ctx, "acme", "api", "alice", &github.RepositoryAddCollaboratorOptions{Permission: "push"}); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("at the base role: %v", err)
	}
	// Outside collaborators are not held to the base role.
	if _, resp, err := c.Repositories.AddCollaborator(ctx, "acme", "api", "bob", &github.RepositoryAddCollaboratorOptions{Permission: "pull"}); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("an outsider at read: %v", err)
	}
}

func TestPermissionOnlyForOrgRepositories(t *testing.T) {
	f := newFake(t)
	f.AddRepo("bob", "dotfiles")
	c := withToken(t, f, "bob")
	_, _, err := c.Repositories.AddCollaborator(ctx, "bob", "dotfiles", "alice", &github.RepositoryAddCollaboratorOptions{Permission: "pull"})
	er := wantStatus(t, err, http.StatusUnprocessableEntity)
	if len(er.Errors) != 1 || er.Errors[0].Message != "You can only update permissions on organization-owned repositories and their forks" {
		t.Errorf("errors = %+v", er.Errors)
	}
	inv, _, err := c.Repositories.AddCollaborator(ctx, "bob", "dotfiles", "alice", nil)
	if err != nil || inv.GetPermissions() != "write" {
		t.Fatalf("without permission: %v, %v", inv, err)
	}
}

func TestNestedTeams(t *testing.T) {
	f := newFake(t)
	for _, u := range []string{"carol", "dave", "erin"} {
		f.AddUser(u)
		f.SetOrgMember("acme", u, "member")
	}
	f.AddTeam("acme", "backend")
	f.AddTeam("acme", "payments")
	f.SetTeamParent("acme", "backend", "platform")
	f.SetTeamParent("acme", "payments", "backend")
	f.SetTeamMembership("acme", "platform", "alice", "maintainer", "active")
	f.SetTeamMembership("acme", "backend", "carol", "maintainer", "active")
	f.SetTeamMembership("acme", "payments", "dave", "member", "active")
	f.SetTeamMembership("acme", "payments", "bob", "member", "pending")
	f.SetTeamMembership("acme", "platform", "erin", "member", "active")
	f.SetTeamMembership("acme", "backend", "erin", "member", "active")
	c := client(t, f, adminToken)

	logins := func(role string) []string {
		users, _, err := c.Teams.ListTeamMembersBySlug(ctx, "acme", "platform", &github.TeamListTeamMembersOptions{Role: role})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, u := range users {
			out = append(out, u.GetLogin())
		}
		return out
	}
	// Members of child teams, at any depth, are members; pending ones are not.
	if got := strings.Join(logins("all"), ","); got != "alice,carol,dave,erin" {
		t.Errorf("platform members = %s", got)
	}
	// A child team's maintainer is a member of the parent.
	if got := strings.Join(logins("maintainer"), ","); got != "alice" {
		t.Errorf("platform maintainers = %s", got)
	}
	// GET membership reports an inherited member as an active member: the
	// response has no field that tells them from a direct one.
	for login, want := range map[string]string{"carol": "member/active", "dave": "member/active", "alice": "maintainer/active", "erin": "member/active"} {
		m, _, err := c.Teams.GetTeamMembershipBySlug(ctx, "acme", "platform", login)
		if err != nil || m.GetRole()+"/"+m.GetState() != want {
			t.Errorf("platform membership of %s = %v, %v; want %s", login, m, err, want)
		}
	}
	_, _, err := c.Teams.GetTeamMembershipBySlug(ctx, "acme", "platform", "bob")
	wantStatus(t, err, http.StatusNotFound) // pending in a child team only
	if _, _, ok := f.TeamMembership("acme", "platform", "dave"); ok {
		t.Error("dave has no direct membership of platform")
	}

	// Where the org has the feature, lists say who is inherited.
	f.SetTeamMemberRolesListed("acme", true)
	var listed []struct {
		Login     string `json:"login"`
		Role      string `json:"role"`
		Inherited bool   `json:"inherited"`
	}
	if _, err := do(c, http.MethodGet, "orgs/acme/teams/platform/members", nil, &listed); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(listed); got != "[{alice maintainer false} {carol member true} {dave member true} {erin member false}]" {
		t.Errorf("listed with roles = %s", got)
	}

	children, _, err := c.Teams.ListChildTeamsByParentSlug(ctx, "acme", "platform", nil)
	if err != nil || len(children) != 1 || children[0].GetSlug() != "backend" || children[0].GetParent().GetSlug() != "platform" {
		t.Fatalf("child teams = %v, %v", children, err)
	}

	// A child team inherits its parent's repository access.
	f.SetTeamRepoPermission("acme", "platform", "acme", "api", "push")
	f.SetTeamRepoPermission("acme", "backend", "acme", "api", "triage")
	if p := f.EffectivePermission("acme", "api", "dave"); p != "push" {
		t.Errorf("dave (payments, under backend, under platform) = %q, want push", p)
	}
	collabs, _, err := c.Repositories.ListCollaborators(ctx, "acme", "api", nil)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, u := range collabs {
		found = found || u.GetLogin() == "dave" && u.GetRoleName() == "write"
	}
	if !found {
		t.Errorf("dave is not listed as a collaborator with write: %v", collabs)
	}

	defer func() {
		if recover() == nil {
			t.Error("nesting a team under its own child did not panic")
		}
	}()
	f.SetTeamParent("acme", "platform", "payments")
}

func TestOwnersReadAsMaintainers(t *testing.T) {
	f := newFake(t)
	f.SetTeamMembership("acme", "platform", "admin", "member", "active")
	f.SetTeamMembership("acme", "platform", "alice", "member", "active")
	c := client(t, f, adminToken)
	for login, want := range map[string]string{"admin": "maintainer", "alice": "member"} {
		m, _, err := c.Teams.GetTeamMembershipBySlug(ctx, "acme", "platform", login)
		if err != nil || m.GetRole() != want {
			t.Errorf("%s reads %v, %v; want %s", login, m, err, want)
		}
	}
	if role, _, _ := f.TeamMembership("acme", "platform", "admin"); role != "member" {
		t.Errorf("stored role = %q: reading must not change it", role)
	}
	maintainers, _, err := c.Teams.ListTeamMembersBySlug(ctx, "acme", "platform", &github.TeamListTeamMembersOptions{Role: "maintainer"})
	if err != nil || len(maintainers) != 1 || maintainers[0].GetLogin() != "admin" {
		t.Errorf("maintainers = %v, %v", maintainers, err)
	}
	// Writing member to an owner still reads back maintainer.
	m, _, err := c.Teams.AddTeamMembershipBySlug(ctx, "acme", "platform", "admin", &github.TeamAddTeamMembershipOptions{Role: "member"})
	if err != nil || m.GetRole() != "maintainer" {
		t.Errorf("PUT member for an owner = %v, %v", m, err)
	}
}

func TestInvitationsExpireAfterSevenDays(t *testing.T) {
	clk := clock.NewVirtual(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	f := newFake(t, WithClock(clk))
	f.AddUser("zed")
	c := client(t, f, adminToken)

	// go-github v60 does not decode "expired"; this does.
	type invitation struct {
		ID      int64 `json:"id"`
		Expired bool  `json:"expired"`
	}
	list := func() []invitation {
		var invs []invitation
		if _, err := do(c, http.MethodGet, "repos/acme/api/invitations", nil, &invs); err != nil {
			t.Fatal(err)
		}
		return invs
	}
	var inv invitation
	if _, err := do(c, http.MethodPut, "repos/acme/api/collaborators/bob", map[string]string{"permission": "push"}, &inv); err != nil || inv.Expired {
		t.Fatalf("invitation = %+v, %v", inv, err)
	}
	if _, _, err := c.Teams.AddTeamMembershipBySlug(ctx, "acme", "platform", "zed", nil); err != nil {
		t.Fatal(err)
	}
	clk.Advance(7*24*time.Hour - time.Hour)
	if invs := list(); len(invs) != 1 || invs[0].Expired {
		t.Fatalf("after 6 days 23 hours: %+v", invs)
	}
	clk.Advance(2 * time.Hour)

	// Expired repository invitations stay listed, with expired: true.
	if invs := list(); len(invs) != 1 || !invs[0].Expired || invs[0].ID != inv.ID {
		t.Fatalf("after 7 days: %+v", invs)
	}
	if got := f.Invitations("acme", "api"); len(got) != 1 || !got[0].Expired {
		t.Errorf("Invitations = %+v", got)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("accepting an expired invitation did not panic")
			}
		}()
		f.AcceptInvitation("acme", "api", "bob")
	}()
	// Inviting again sends a new invitation.
	var again invitation
	resp, err := do(c, http.MethodPut, "repos/acme/api/collaborators/bob", map[string]string{"permission": "push"}, &again)
	mustOK(t, resp, err, http.StatusCreated)
	if again.ID == inv.ID || again.Expired || len(list()) != 1 {
		t.Errorf("new invitation = %+v, all %+v", again, list())
	}

	// An expired org invitation no longer makes a pending team member.
	_, _, err = c.Teams.GetTeamMembershipBySlug(ctx, "acme", "platform", "zed")
	wantStatus(t, err, http.StatusNotFound)
	if pending, _, err := c.Teams.ListPendingTeamInvitationsBySlug(ctx, "acme", "platform", nil); err != nil || len(pending) != 0 {
		t.Errorf("team invitations = %v, %v", pending, err)
	}
	if got := f.OrgInvitations("acme"); len(got) != 0 {
		t.Errorf("open org invitations = %v", got)
	}
}

func TestPrimaryRateLimit(t *testing.T) {
	clk := clock.NewVirtual(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	f := newFake(t, WithClock(clk))
	id := f.UserID("admin")
	f.AddToken("tok-admin-2", "admin") // a second token of the same user shares the budget
	f.AddToken("tok-alice", "alice")
	f.SetRateLimit(3)

	get := func(tok string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, f.URL()+"users/admin", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("User-Agent", SelfTestUserAgent)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for i, tok := range []string{adminToken, "tok-admin-2", adminToken} {
		resp := get(tok)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("X-RateLimit-Remaining") != fmt.Sprint(2-i) {
			t.Fatalf("request %d: %d, remaining %s", i+1, resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"))
		}
	}
	_, _, err := client(t, f, "tok-admin-2").Users.Get(ctx, "admin")
	var rl *github.RateLimitError
	if !asError(err, &rl) || rl.Message != fmt.Sprintf("API rate limit exceeded for user ID %d.", id) || rl.Rate.Remaining != 0 {
		t.Fatalf("the request after the last allowed one: %v", err)
	}
	reset := rl.Rate.Reset.Time
	if resp := get("tok-alice"); resp.StatusCode != http.StatusOK {
		t.Errorf("another user's budget: %d", resp.StatusCode)
	}
	clk.Advance(reset.Sub(clk.Now()))
	if resp := get(adminToken); resp.StatusCode != http.StatusOK || resp.Header.Get("X-RateLimit-Remaining") != "2" {
		t.Errorf("after the reset: %d, remaining %s", resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"))
	}
}

func TestSecondaryRateLimit(t *testing.T) {
	clk := clock.NewVirtual(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	f := newFake(t, WithClock(clk))
	n := f.AddIssue("acme", "api", Issue{Title: "log", Author: "admin"})
	c := client(t, f, adminToken)
	comment := func() error {
		body := "entry"
		_, _, err := c.Issues.CreateComment(ctx, "acme", "api", n, &github.IssueComment{Body: &body})
		return err
	}
	for i := range 80 {
		if err := comment(); err != nil {
			t.Fatalf("write %d: %v", i+1, err)
		}
		clk.Advance(500 * time.Millisecond)
	}
	err := comment()
	var abuse *github.AbuseRateLimitError
	if !asError(err, &abuse) || abuse.Response.Header.Get("Retry-After") != "" || !strings.Contains(abuse.Message, "secondary rate limit") {
		t.Fatalf("the 81st write within a minute: %v (want a secondary limit without Retry-After)", err)
	}
	if _, _, err := c.Issues.Get(ctx, "acme", "api", n); err != nil {
		t.Errorf("reads are not content creation: %v", err)
	}
	clk.Advance(time.Minute)
	for i := range 420 {
		if err := comment(); err != nil {
			t.Fatalf("paced write %d: %v", i+1, err)
		}
		clk.Advance(time.Second)
	}
	if err := comment(); !asError(err, &abuse) {
		t.Fatalf("the 501st write within an hour: %v", err)
	}
	if got := len(f.Comments("acme", "api", n)); got != 500 {
		t.Errorf("comments = %d, want 500 (refused writes do nothing)", got)
	}
}

func TestUsersHaveIDsAndCanBeRenamed(t *testing.T) {
	f := newFake(t)
	f.SetTeamMembership("acme", "platform", "alice", "maintainer", "active")
	id := f.UserID("alice")
	f.RenameUser("alice", "alice-renamed")
	c := client(t, f, adminToken)
	_, _, err := c.Users.Get(ctx, "alice")
	wantStatus(t, err, http.StatusNotFound)
	var byID github.User
	if _, err := do(c, http.MethodGet, fmt.Sprintf("user/%d", id), nil, &byID); err != nil || byID.GetLogin() != "alice-renamed" {
		t.Fatalf("GET /user/%d = %v, %v", id, byID.GetLogin(), err)
	}
	m, _, err := c.Teams.GetTeamMembershipBySlug(ctx, "acme", "platform", "alice-renamed")
	if err != nil || m.GetRole() != "maintainer" {
		t.Fatalf("the membership follows the account: %v, %v", m, err)
	}
	// The old login can be taken again, by a different account.
	newID := f.AddUser("alice")
	if newID == id {
		t.Fatal("the new alice has the old alice's ID")
	}
	_, _, err = c.Teams.GetTeamMembershipBySlug(ctx, "acme", "platform", "alice")
	wantStatus(t, err, http.StatusNotFound)
	_, err = do(c, http.MethodGet, "user/999999", nil, nil)
	wantStatus(t, err, http.StatusNotFound)
}

func TestTokensShareTheirBotIdentity(t *testing.T) {
	f := newFake(t)
	n := f.AddIssue("acme", "api", Issue{Title: "log", Author: "admin"})
	f.AddActionsToken("run-1", "acme", "api", map[string]string{"issues": "write"})
	f.AddActionsToken("run-2", "acme", "api", map[string]string{"issues": "write", "contents": "read"})
	for _, tok := range []string{"run-1", "run-2"} {
		body := "from " + tok
		cm, _, err := client(t, f, tok).Issues.CreateComment(ctx, "acme", "api", n, &github.IssueComment{Body: &body})
		if err != nil || cm.GetUser().GetLogin() != ActionsBot || cm.GetUser().GetType() != "Bot" {
			t.Fatalf("%s: %v, %v", tok, cm.GetUser(), err)
		}
	}
	cms := f.Comments("acme", "api", n)
	if len(cms) != 2 || cms[0].Author != ActionsBot || cms[1].Author != ActionsBot {
		t.Errorf("comments = %+v", cms)
	}
	// A workflow's token reaches its own repository only.
	f.AddRepo("acme", "other")
	_, _, err := client(t, f, "run-1").Issues.ListByRepo(ctx, "acme", "other", nil)
	wantStatus(t, err, http.StatusNotFound)
}

func TestLabelsNeedPush(t *testing.T) {
	f := newFake(t)
	f.SetCollaborator("acme", "api", "alice", "triage")
	title := "audit"
	is, _, err := withToken(t, f, "alice").Issues.Create(ctx, "acme", "api", &github.IssueRequest{Title: &title, Labels: &[]string{"jit-audit"}})
	if err != nil || len(is.Labels) != 0 {
		t.Fatalf("triage: labels %v, %v; want silently dropped", is.Labels, err)
	}
	is, _, err = client(t, f, adminToken).Issues.Create(ctx, "acme", "api", &github.IssueRequest{Title: &title, Labels: &[]string{"jit-audit"}})
	if err != nil || len(is.Labels) != 1 {
		t.Fatalf("admin: labels %v, %v", is.Labels, err)
	}
}

func TestEnterpriseServerPaths(t *testing.T) {
	f := newFake(t)
	for i := range 3 {
		login := fmt.Sprintf("u%d", i)
		f.AddUser(login)
		f.SetTeamMembership("acme", "platform", login, "member", "active")
	}
	c := client(t, f, adminToken)
	u, _ := c.BaseURL.Parse(f.EnterpriseURL())
	c.BaseURL = u
	users, resp, err := c.Teams.ListTeamMembersBySlug(ctx, "acme", "platform", &github.TeamListTeamMembersOptions{ListOptions: github.ListOptions{PerPage: 2}})
	if err != nil || len(users) != 2 || resp.NextPage != 2 {
		t.Fatalf("members = %v, %v, next %d", users, err, resp.NextPage)
	}
	if link := resp.Header.Get("Link"); !strings.Contains(link, f.EnterpriseURL()+"orgs/acme/teams/platform/members?") {
		t.Errorf("Link = %s", link)
	}
	if !strings.HasPrefix(users[0].GetURL(), f.EnterpriseURL()+"users/") {
		t.Errorf("url = %s", users[0].GetURL())
	}
	if got := f.Calls("GET /orgs/{org}/teams/{team_slug}/members"); got != 1 {
		t.Errorf("calls = %d: /api/v3/ routes count as the same route", got)
	}
}
