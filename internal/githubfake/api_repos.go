package githubfake

import (
	"net/http"
	"slices"
)

// Handlers for repositories, collaborators and repository invitations.

// lookupRepo finds a repository the caller can see: every repository is
// private, so a user needs some access to it, and an installation must be
// installed on it. Anything else is a 404, as on GitHub.
func (c *call) lookupRepo() *repo {
	r := c.f.repo(c.params["owner"], c.params["repo"])
	if r == nil || c.viewerPerm(r) == "" {
		writeNotFound(c.w)
		return nil
	}
	return r
}

// userAtLeast reports whether the caller, if a user, holds level on r; an
// installation's permissions were checked by the route instead.
func (c *call) userAtLeast(r *repo, level string) bool {
	return c.id.inst != nil || permRank(c.f.effective(r, c.viewer)) >= permRank(level)
}

const (
	adminMessage = "Must have admin rights to Repository."
	pushMessage  = "Must have push access to view repository collaborators."
)

func (f *Fake) getRepo(c *call) {
	if r := c.lookupRepo(); r != nil {
		c.json(http.StatusOK, c.repoObj(r))
	}
}

// listRepoTeams lists the teams given access to the repository that the
// caller can see: all of them for an org member, none for an outside
// collaborator.
func (f *Fake) listRepoTeams(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	var teams []*team
	if r.org != nil && c.member(r.org) {
		for _, t := range r.org.teams {
			if t.repos[r] != "" {
				teams = append(teams, t)
			}
		}
	}
	writePage(c, byID(teams, func(t *team) int64 { return t.id }), func(t *team) any {
		o := c.teamObj(t)
		o["permission"] = t.repos[r]
		o["permissions"] = permissionsObj(t.repos[r])
		return o
	})
}

// collaboratorObj is a user with their effective access, as listed by
// GET /repos/{owner}/{repo}/collaborators.
func (c *call) collaboratorObj(r *repo, a *account) obj {
	p := c.f.effective(r, a)
	u := c.userObj(a)
	u["permissions"] = permissionsObj(p)
	u["role_name"] = roleName(p)
	return u
}

// canListCollaborators applies GitHub's rule: "The authenticated user must
// have write, maintain, or admin privileges on the repository to use this
// endpoint. For organization-owned repositories, the authenticated user
// needs to be a member of the organization." A 403 was written if false.
func (c *call) canListCollaborators(r *repo) bool {
	if !c.userAtLeast(r, "push") || (c.id.inst == nil && r.org != nil && r.org.members[c.viewer] == "") {
		c.forbidden(pushMessage)
		return false
	}
	return true
}

// listCollaborators lists users with access. affiliation=all (the default)
// includes access through teams (child teams included), the org base
// permission and org ownership; direct lists direct collaborators and
// outside those who are not org members. Like GitHub, every entry reports
// the user's effective permission, which for a direct collaborator may be
// higher than their direct grant.
func (f *Fake) listCollaborators(c *call) {
	r := c.lookupRepo()
	if r == nil || !c.canListCollaborators(r) {
		return
	}
	q := c.r.URL.Query()
	affiliation := q.Get("affiliation")
	if affiliation == "" {
		affiliation = "all"
	}
	if affiliation != "all" && affiliation != "direct" && affiliation != "outside" {
		writeValidation(c.w, "Repository", "affiliation", "invalid", "")
		return
	}
	minPerm := ""
	if p := q.Get("permission"); p != "" {
		var ok bool
		if minPerm, ok = normalizePerm(p); !ok || p == "read" || p == "write" {
			writeValidation(c.w, "Repository", "permission", "invalid", "")
			return
		}
	}

	seen := map[*account]bool{}
	for a := range r.collaborators {
		if affiliation == "outside" && r.org != nil && r.org.members[a] != "" {
			continue
		}
		seen[a] = true
	}
	if affiliation == "all" {
		if r.org == nil {
			seen[r.owner] = true
		} else {
			for a := range r.org.members {
				seen[a] = true
			}
			for _, t := range r.org.teams {
				for a := range t.activeMembers() {
					seen[a] = true
				}
			}
		}
	}
	var users []*account
	for a := range seen {
		if p := f.effective(r, a); p != "" && permRank(p) >= permRank(minPerm) {
			users = append(users, a)
		}
	}
	writePage(c, byID(users, func(a *account) int64 { return a.id }), func(a *account) any { return c.collaboratorObj(r, a) })
}

func (f *Fake) checkCollaborator(c *call) {
	r := c.lookupRepo()
	if r == nil || !c.canListCollaborators(r) {
		return
	}
	a := c.lookupUser()
	if a == nil {
		return
	}
	if f.effective(r, a) == "" {
		writeNotFound(c.w)
		return
	}
	c.noContent()
}

func (f *Fake) getPermission(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	a := c.lookupUser()
	if a == nil {
		return
	}
	p := f.effective(r, a)
	c.json(http.StatusOK, obj{
		"permission": legacyPerm(p),
		"role_name":  roleName(p),
		"user":       c.collaboratorObj(r, a),
	})
}

// putCollaborator grants access directly (204) to org members and existing
// collaborators; anyone else gets a repository invitation (201), or has
// their open one updated. It needs admin on the repository. As on GitHub,
// `permission` is only for org-owned repositories, and an org member cannot
// be given less than the org's base role.
func (f *Fake) putCollaborator(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	a := c.lookupUser()
	if a == nil {
		return
	}
	if !c.userAtLeast(r, "admin") {
		c.forbidden(adminMessage)
		return
	}
	var req struct {
		Permission *string `json:"permission"`
	}
	if !c.decode(&req) {
		return
	}
	if r.org == nil && req.Permission != nil {
		writeValidation(c.w, "Repository", "", "custom", "You can only update permissions on organization-owned repositories and their forks")
		return
	}
	asked := "push"
	if req.Permission != nil {
		asked = *req.Permission
	}
	p, ok := normalizePerm(asked)
	if !ok || p == "" || asked == "read" || asked == "write" {
		writeValidation(c.w, "Repository", "permission", "invalid", "permission must be one of pull, triage, push, maintain, admin")
		return
	}
	if r.owner == a {
		writeValidation(c.w, "Repository", "collaborator", "custom", "Repository owner cannot be a collaborator")
		return
	}
	isMember := r.org != nil && r.org.members[a] != ""
	if isMember && permRank(p) < permRank(r.org.basePerm) {
		writeErrorDoc(c.w, http.StatusUnprocessableEntity, "Cannot assign "+a.login+" permission of "+roleName(p), docsURL)
		return
	}
	if col := r.collaborators[a]; col != nil {
		col.perm = p
		c.noContent()
		return
	}
	if isMember {
		r.collaborators[a] = &collaborator{acct: a, perm: p}
		c.noContent()
		return
	}
	c.json(http.StatusCreated, c.invitationObj(r, f.invite(r, a, c.viewer, p)))
}

// deleteCollaborator removes direct access only; it needs admin, unless
// users remove themselves. Like GitHub it answers 204 even when the user
// was not a collaborator, and leaves invitations alone.
func (f *Fake) deleteCollaborator(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	a := c.lookupUser()
	if a == nil {
		return
	}
	if a != c.viewer && !c.userAtLeast(r, "admin") {
		c.forbidden(adminMessage)
		return
	}
	delete(r.collaborators, a)
	c.noContent()
}

// lookupAdminRepo is lookupRepo for endpoints that need admin on the
// repository, as the invitation endpoints do.
func (c *call) lookupAdminRepo() *repo {
	r := c.lookupRepo()
	if r != nil && !c.userAtLeast(r, "admin") {
		c.forbidden(adminMessage)
		return nil
	}
	return r
}

// listInvitations lists the repository's invitations, expired ones too
// (with expired: true), as GitHub keeps them until they are deleted.
func (f *Fake) listInvitations(c *call) {
	if r := c.lookupAdminRepo(); r != nil {
		writePage(c, r.invitations, func(inv *repoInvitation) any { return c.invitationObj(r, inv) })
	}
}

// lookupInvitation returns the index of the invitation in the path, or -1
// after writing a 404.
func (c *call) lookupInvitation(r *repo) int {
	id, ok := c.intParam("invitation_id")
	if !ok {
		return -1
	}
	i := slices.IndexFunc(r.invitations, func(inv *repoInvitation) bool { return inv.id == id })
	if i < 0 {
		writeNotFound(c.w)
	}
	return i
}

func (f *Fake) patchInvitation(c *call) {
	r := c.lookupAdminRepo()
	if r == nil {
		return
	}
	i := c.lookupInvitation(r)
	if i < 0 {
		return
	}
	var req struct {
		Permissions string `json:"permissions"`
	}
	if !c.decode(&req) {
		return
	}
	// This endpoint takes the invitation names: read, triage, write,
	// maintain, admin.
	p, ok := normalizePerm(req.Permissions)
	if !ok || p == "" || req.Permissions == "pull" || req.Permissions == "push" {
		writeValidation(c.w, "RepositoryInvitation", "permissions", "invalid", "permissions must be one of read, triage, write, maintain, admin")
		return
	}
	r.invitations[i].perm = p
	c.json(http.StatusOK, c.invitationObj(r, r.invitations[i]))
}

func (f *Fake) deleteInvitation(c *call) {
	r := c.lookupAdminRepo()
	if r == nil {
		return
	}
	if i := c.lookupInvitation(r); i >= 0 {
		r.invitations = slices.Delete(r.invitations, i, i+1)
		c.noContent()
	}
}
