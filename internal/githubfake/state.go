package githubfake

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// invitationLifetime is how long GitHub keeps repository and organization
// invitations open.
const invitationLifetime = 7 * 24 * time.Hour

type account struct {
	id      int64
	login   string
	kind    string // "User", "Bot" or "Organization"
	created time.Time
}

type org struct {
	acct        *account
	members     map[*account]string         // "admin" (owner) | "member"
	invitations map[*account]*orgInvitation // sent when a team invited a non-member
	teams       map[string]*team            // by lower slug
	basePerm    string                      // "" | pull | push | admin
	// listRoles makes team member lists carry each member's role and
	// whether they are in the team only through a child team, a feature
	// GitHub enables per organization.
	listRoles bool
}

type orgInvitation struct {
	id      int64
	invitee *account
	inviter *account // nil when seeded
	created time.Time
}

func (inv *orgInvitation) expired(now time.Time) bool {
	return !now.Before(inv.created.Add(invitationLifetime))
}

type team struct {
	id      int64
	slug    string
	org     *org
	parent  *team
	members map[*account]*teamMember
	repos   map[*repo]string // permission
	created time.Time
}

type teamMember struct {
	acct  *account
	role  string // member | maintainer
	state string // active | pending
}

type repo struct {
	id            int64
	owner         *account
	org           *org // nil for a user-owned repository
	name          string
	created       time.Time
	collaborators map[*account]*collaborator // direct collaborators
	invitations   []*repoInvitation
	issues        map[int]*issue // issues and pull requests share numbers
	labels        map[string]*label
	git           gitData
	activity      []*activity // oldest first
	settings      repoSettings
}

type collaborator struct {
	acct *account
	perm string
}

type repoInvitation struct {
	id      int64
	invitee *account
	inviter *account
	perm    string
	created time.Time
}

func (inv *repoInvitation) expired(now time.Time) bool {
	return !now.Before(inv.created.Add(invitationLifetime))
}

type label struct {
	id   int64
	name string
}

type issue struct {
	id       int64
	number   int
	title    string
	body     string
	author   *account
	labels   []*label
	state    string
	created  time.Time
	updated  time.Time
	closed   time.Time
	comments []*comment
	pr       *pull // non-nil for a pull request
}

type pull struct {
	headSHA  string
	headRef  string
	headRepo *repo // the fork the head branch is in; nil: the repository itself
	pushed   bool  // a push to the head branch has been recorded
	baseRef  string
	baseSHA  string
	merged   bool
	mergeSHA string
	// associated is when GitHub lists the pull request among its merge
	// commit's pull requests (SetAssociationDelay); zero: at once.
	associated time.Time
	commits    []*commit
	reviews    []*review
	files      []PullFile
	// requestedUsers and requestedTeams are asked for a review.
	requestedUsers []*account
	requestedTeams []*team
}

type commit struct {
	sha       string
	parents   []string
	author    *account // nil: the commit email matches no GitHub user
	committer *account
	date      time.Time
}

type review struct {
	id        int64
	user      *account
	state     string
	commitID  string
	body      string
	submitted time.Time
}

type comment struct {
	id         int64
	repo       *repo
	issue      *issue
	author     *account
	body       string
	created    time.Time
	updated    time.Time
	lastEditor *account
}

func lower(s string) string { return strings.ToLower(s) }

func repoKey(owner, name string) string { return lower(owner) + "/" + lower(name) }

func byID[T any](items []T, id func(T) int64) []T {
	slices.SortFunc(items, func(a, b T) int { return cmp.Compare(id(a), id(b)) })
	return items
}

// Lookups used by handlers; nil means absent.

func (f *Fake) account(login string) *account { return f.accounts[lower(login)] }

// user returns a user or bot; orgs are accounts too but cannot be members.
func (f *Fake) user(login string) *account {
	if a := f.account(login); a != nil && a.kind != "Organization" {
		return a
	}
	return nil
}

func (f *Fake) accountByID(id int64) *account {
	for _, a := range f.accounts {
		if a.id == id {
			return a
		}
	}
	return nil
}

func (f *Fake) org(name string) *org { return f.orgs[lower(name)] }

func (f *Fake) team(orgName, slug string) *team {
	if o := f.org(orgName); o != nil {
		return o.teams[lower(slug)]
	}
	return nil
}

func (f *Fake) repo(owner, name string) *repo { return f.repos[repoKey(owner, name)] }

func (r *repo) fullName() string { return r.owner.login + "/" + r.name }

func (r *repo) pull(number int) *issue {
	if is := r.issues[number]; is != nil && is.pr != nil {
		return is
	}
	return nil
}

// Lookups used by the seeding API, which panic on unknown names.

func (f *Fake) mustAccount(login string) *account {
	a := f.user(login)
	if a == nil {
		fail("unknown user %q", login)
	}
	return a
}

func (f *Fake) mustOrg(name string) *org {
	o := f.org(name)
	if o == nil {
		fail("unknown org %q", name)
	}
	return o
}

func (f *Fake) mustTeam(orgName, slug string) *team {
	t := f.team(orgName, slug)
	if t == nil {
		fail("unknown team %s/%s", orgName, slug)
	}
	return t
}

func (f *Fake) mustRepo(owner, name string) *repo {
	r := f.repo(owner, name)
	if r == nil {
		fail("unknown repository %s/%s", owner, name)
	}
	return r
}

func (f *Fake) mustPull(owner, name string, number int) *issue {
	is := f.mustRepo(owner, name).pull(number)
	if is == nil {
		fail("unknown pull request %s/%s#%d", owner, name, number)
	}
	return is
}

func (f *Fake) addAccount(login, kind string) *account {
	if login == "" {
		fail("empty login")
	}
	if f.account(login) != nil {
		fail("login %q already exists", login)
	}
	a := &account{id: f.newID(), login: login, kind: kind, created: f.now()}
	f.accounts[lower(login)] = a
	return a
}

// AddUser creates a user account (type "User") and returns its numeric ID.
func (f *Fake) AddUser(login string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.addAccount(login, "User").id
}

// AddBot creates a bot account (type "Bot"), e.g. "dependabot[bot]".
func (f *Fake) AddBot(login string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.addAccount(login, "Bot").id
}

// UserID returns the numeric ID of the account that holds login now.
func (f *Fake) UserID(login string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.account(login)
	if a == nil {
		fail("unknown account %q", login)
	}
	return a.id
}

// RenameUser renames a user or bot, as the account's owner may on GitHub:
// the ID, memberships, collaborations and authorship stay; the old login no
// longer resolves and may be taken by a new account (AddUser).
func (f *Fake) RenameUser(oldLogin, newLogin string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.mustAccount(oldLogin)
	if newLogin == "" {
		fail("empty login")
	}
	if other := f.account(newLogin); other != nil && other != a {
		fail("login %q already exists", newLogin)
	}
	delete(f.accounts, lower(a.login))
	a.login = newLogin
	f.accounts[lower(newLogin)] = a
}

// AddOrg creates an organization. Orgs share the login namespace with users.
func (f *Fake) AddOrg(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.orgs[lower(name)] = &org{
		acct:        f.addAccount(name, "Organization"),
		members:     map[*account]string{},
		invitations: map[*account]*orgInvitation{},
		teams:       map[string]*team{},
	}
}

// SetOrgMember sets login's role in org: "member", or "admin" for an org
// owner. Joining completes any pending team invitations, as accepting the org
// invitation would. Role "" removes the user from the org and from all its
// teams, as GitHub does.
func (f *Fake) SetOrgMember(orgName, login, role string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setOrgMember(f.mustOrg(orgName), f.mustAccount(login), role)
}

func (f *Fake) setOrgMember(o *org, a *account, role string) {
	switch role {
	case "":
		delete(o.members, a)
		delete(o.invitations, a)
		for _, t := range o.teams {
			delete(t.members, a)
		}
	case "member", "admin":
		o.members[a] = role
		delete(o.invitations, a)
		for _, t := range o.teams {
			if m := t.members[a]; m != nil {
				m.state = "active"
			}
		}
	default:
		fail("org role %q is not member or admin", role)
	}
}

// AcceptOrgInvitation simulates login accepting the org invitation that
// adding them to a team created: they become an org member and their pending
// team memberships become active. An expired invitation cannot be accepted.
func (f *Fake) AcceptOrgInvitation(orgName, login string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.mustOrg(orgName)
	a := f.mustAccount(login)
	inv := o.invitations[a]
	if inv == nil {
		fail("%s has no pending invitation to %s", login, orgName)
	}
	if inv.expired(f.clock.Now()) {
		fail("%s's invitation to %s has expired", login, orgName)
	}
	f.setOrgMember(o, a, "member")
}

// SetOrgBasePermission sets the base repository permission of org members:
// "" or "none", "read" (or "pull"), "write" (or "push"), or "admin".
func (f *Fake) SetOrgBasePermission(orgName, permission string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.mustOrg(orgName)
	p, ok := normalizePerm(permission)
	if !ok || p == "triage" || p == "maintain" {
		fail("invalid base permission %q", permission)
	}
	o.basePerm = p
}

// SetTeamMemberRolesListed turns on or off, for one org, GitHub's feature
// that makes team member lists carry each member's "role" and "inherited"
// (true for a member only through a child team). It is off by default.
func (f *Fake) SetTeamMemberRolesListed(orgName string, on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mustOrg(orgName).listRoles = on
}

// AddTeam creates a team with the given slug in org.
func (f *Fake) AddTeam(orgName, slug string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.mustOrg(orgName)
	if o.teams[lower(slug)] != nil {
		fail("team %s/%s already exists", orgName, slug)
	}
	o.teams[lower(slug)] = &team{id: f.newID(), slug: slug, org: o, members: map[*account]*teamMember{}, repos: map[*repo]string{}, created: f.now()}
}

// SetTeamParent nests child under parent ("" makes it a top-level team). As
// on GitHub, the parent's member lists then include the child's members,
// and the child inherits the parent's repository access.
func (f *Fake) SetTeamParent(orgName, child, parent string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.mustTeam(orgName, child)
	if parent == "" {
		c.parent = nil
		return
	}
	p := f.mustTeam(orgName, parent)
	for t := p; t != nil; t = t.parent {
		if t == c {
			fail("team %s/%s cannot be nested under its own child %s", orgName, child, parent)
		}
	}
	c.parent = p
}

// SetTeamMembership sets login's direct membership of a team: role "member"
// or "maintainer", state "active" or "pending". Role "" removes the
// membership. An active member who is not yet an org member becomes one (on
// GitHub only org members can be active team members); a pending one gets an
// org invitation, listed as a team invitation.
func (f *Fake) SetTeamMembership(orgName, slug, login, role, state string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.mustTeam(orgName, slug)
	a := f.mustAccount(login)
	if role == "" {
		f.removeTeamMember(t, a)
		return
	}
	if role != "member" && role != "maintainer" {
		fail("team role %q is not member or maintainer", role)
	}
	switch state {
	case "active":
		if _, ok := t.org.members[a]; !ok {
			f.setOrgMember(t.org, a, "member")
		}
	case "pending":
		f.inviteToOrg(t.org, a, nil)
	default:
		fail("team membership state %q is not active or pending", state)
	}
	t.members[a] = &teamMember{acct: a, role: role, state: state}
}

// TeamID returns the numeric ID of a team.
func (f *Fake) TeamID(orgName, slug string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.mustTeam(orgName, slug).id
}

// TeamMembership reports login's direct membership of a team, as stored:
// not through child teams, and an org owner's role as given.
func (f *Fake) TeamMembership(orgName, slug, login string) (role, state string, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.account(login)
	m := f.mustTeam(orgName, slug).members[a]
	if a == nil || m == nil {
		return "", "", false
	}
	return m.role, m.state, true
}

// inviteToOrg sends a an org invitation unless one is open.
func (f *Fake) inviteToOrg(o *org, a, inviter *account) {
	if inv := o.invitations[a]; inv == nil || inv.expired(f.clock.Now()) {
		o.invitations[a] = &orgInvitation{id: f.newID(), invitee: a, inviter: inviter, created: f.now()}
	}
}

// OrgInvitations returns the logins with an open (unexpired) invitation to
// org, sorted.
func (f *Fake) OrgInvitations(orgName string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	now := f.clock.Now()
	for a, inv := range f.mustOrg(orgName).invitations {
		if !inv.expired(now) {
			out = append(out, a.login)
		}
	}
	slices.Sort(out)
	return out
}

// removeTeamMember removes a direct membership. Like GitHub, removing a
// pending membership leaves the org invitation it came with open: only
// cancelling the invitation (DELETE /orgs/{org}/invitations/{id}) or the
// user leaving withdraws it.
func (f *Fake) removeTeamMember(t *team, a *account) bool {
	if t.members[a] == nil {
		return false
	}
	delete(t.members, a)
	return true
}

// AddRepo creates a repository owned by an org or a user.
func (f *Fake) AddRepo(owner, name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.account(owner)
	if a == nil {
		fail("unknown owner %q", owner)
	}
	if f.repos[repoKey(owner, name)] != nil {
		fail("repository %s/%s already exists", owner, name)
	}
	f.repos[repoKey(owner, name)] = &repo{
		id:            f.newID(),
		owner:         a,
		org:           f.org(owner),
		name:          name,
		created:       f.now(),
		collaborators: map[*account]*collaborator{},
		issues:        map[int]*issue{},
		labels:        map[string]*label{},
		git:           newGitData(),
	}
}

// SetCollaborator makes login a direct collaborator with permission pull,
// triage, push, maintain or admin (read and write are accepted as aliases).
// Permission "" removes the direct collaborator.
func (f *Fake) SetCollaborator(owner, name, login, permission string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.mustRepo(owner, name)
	a := f.mustAccount(login)
	p, ok := normalizePerm(permission)
	if !ok {
		fail("invalid permission %q", permission)
	}
	if p == "" {
		delete(r.collaborators, a)
		return
	}
	r.collaborators[a] = &collaborator{acct: a, perm: p}
}

// Collaborator returns login's direct collaborator permission (pull, triage,
// push, maintain or admin), ignoring access through teams or the org.
func (f *Fake) Collaborator(owner, name, login string) (permission string, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.mustRepo(owner, name).collaborators[f.account(login)]
	if c == nil {
		return "", false
	}
	return c.perm, true
}

// SetTeamRepoPermission grants a team access to a repository (pull, triage,
// push, maintain or admin); "" removes the access.
func (f *Fake) SetTeamRepoPermission(orgName, slug, owner, name, permission string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.mustTeam(orgName, slug)
	r := f.mustRepo(owner, name)
	p, ok := normalizePerm(permission)
	if !ok {
		fail("invalid permission %q", permission)
	}
	if p == "" {
		delete(t.repos, r)
		return
	}
	t.repos[r] = p
}

// EffectivePermission returns login's access to a repository as GitHub
// computes it: the highest of direct collaboration, active team memberships
// (with what parent teams give), the org base permission for org members,
// admin for org owners and for the owner of a user repository. "" means no
// access.
func (f *Fake) EffectivePermission(owner, name, login string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.effective(f.mustRepo(owner, name), f.mustAccount(login))
}

// Invitation is a repository invitation. Permission uses the same names as
// the rest of this API (pull, triage, push, maintain, admin).
type Invitation struct {
	ID         int64  `json:"id"`
	Login      string `json:"login"`
	Permission string `json:"permission"`
	Expired    bool   `json:"expired,omitempty"`
}

// Invitations returns the invitations of a repository, oldest first,
// expired ones included (GitHub keeps listing them).
func (f *Fake) Invitations(owner, name string) []Invitation {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Invitation
	now := f.clock.Now()
	for _, inv := range f.mustRepo(owner, name).invitations {
		out = append(out, Invitation{ID: inv.id, Login: inv.invitee.login, Permission: inv.perm, Expired: inv.expired(now)})
	}
	return out
}

// InviteCollaborator creates (or updates) a pending repository invitation,
// as PUT /repos/{owner}/{repo}/collaborators/{username} does for outside
// collaborators.
func (f *Fake) InviteCollaborator(owner, name, login, permission string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := normalizePerm(permission)
	if !ok || p == "" {
		fail("invalid permission %q", permission)
	}
	f.invite(f.mustRepo(owner, name), f.mustAccount(login), nil, p)
}

// invite updates the user's open invitation or sends a new one; an expired
// invitation is replaced, as inviting again after expiry does on GitHub.
func (f *Fake) invite(r *repo, a, inviter *account, perm string) *repoInvitation {
	now := f.clock.Now()
	for i, inv := range r.invitations {
		if inv.invitee != a {
			continue
		}
		if !inv.expired(now) {
			inv.perm = perm
			return inv
		}
		r.invitations = slices.Delete(r.invitations, i, i+1)
		break
	}
	inv := &repoInvitation{id: f.newID(), invitee: a, inviter: inviter, perm: perm, created: f.now()}
	r.invitations = append(r.invitations, inv)
	return inv
}

// AcceptInvitation simulates login accepting their invitation to a
// repository: they become a direct collaborator with its permission. An
// expired invitation cannot be accepted.
func (f *Fake) AcceptInvitation(owner, name, login string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.mustRepo(owner, name)
	a := f.mustAccount(login)
	for i, inv := range r.invitations {
		if inv.invitee != a {
			continue
		}
		if inv.expired(f.clock.Now()) {
			fail("%s's invitation to %s/%s has expired", login, owner, name)
		}
		r.collaborators[a] = &collaborator{acct: a, perm: inv.perm}
		r.invitations = slices.Delete(r.invitations, i, i+1)
		return
	}
	fail("%s has no pending invitation to %s/%s", login, owner, name)
}
