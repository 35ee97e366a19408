package githubfake

import (
	"net/http"
	"slices"
)

// Handlers for repositories, collaborators and repository invitations.

func (c *call) lookupRepo() *repo {
	r := c.f.repo(c.params["owner"], c.params["repo"])
	if r == nil {
		writeNotFound(c.w)
	}
	return r
}

func (f *Fake) getRepo(c *call) {
	if r := c.lookupRepo(); r != nil {
		c.json(http.StatusOK, c.repoObj(r))
	}
}

func (f *Fake) listRepoTeams(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	var teams []*team
	if r.org != nil {
		for _, t := range r.org.teams {
			if t.repos[r.key()] != "" {
				teams = append(teams, t)
			}
		}
	}
	writePage(c, byID(teams, func(t *team) int64 { return t.id }), func(t *team) any {
		o := c.teamObj(t)
		o["permission"] = t.repos[r.key()]
		o["permissions"] = permissionsObj(t.repos[r.key()])
		return o
	})
}

// collaboratorObj is a user with their effective access, as listed by
// GET /repos/{owner}/{repo}/collaborators.
func (c *call) collaboratorObj(r *repo, a *account) obj {
	p := c.f.effective(r, a)
	u := c.user(a).(obj)
	u["permissions"] = permissionsObj(p)
	u["role_name"] = roleName(p)
	return u
}

// listCollaborators lists users with access. affiliation=all (the default)
// includes access through teams, the org base permission and org ownership;
// direct lists direct collaborators and outside those who are not org
// members. Like GitHub, every entry reports the user's effective permission,
// which for a direct collaborator may be higher than their direct grant.
func (f *Fake) listCollaborators(c *call) {
	r := c.lookupRepo()
	if r == nil {
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
	for _, col := range r.collaborators {
		if affiliation == "outside" && r.org != nil && r.org.members[lower(col.acct.login)] != "" {
			continue
		}
		seen[col.acct] = true
	}
	if affiliation == "all" {
		if r.org == nil {
			seen[r.owner] = true
		} else {
			for k := range r.org.members {
				seen[f.accounts[k]] = true
			}
			for _, t := range r.org.teams {
				for _, m := range t.members {
					seen[m.acct] = true
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
	if r == nil {
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
// their pending one updated.
func (f *Fake) putCollaborator(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	a := c.lookupUser()
	if a == nil {
		return
	}
	var req struct {
		Permission string `json:"permission"`
	}
	if !c.decode(&req) {
		return
	}
	if req.Permission == "" {
		req.Permission = "push"
	}
	p, ok := normalizePerm(req.Permission)
	if !ok || p == "" || req.Permission == "read" || req.Permission == "write" {
		writeValidation(c.w, "Repository", "permission", "invalid", "permission must be one of pull, triage, push, maintain, admin")
		return
	}
	if r.owner == a {
		writeValidation(c.w, "Repository", "collaborator", "custom", "Repository owner cannot be a collaborator")
		return
	}
	k := lower(a.login)
	if col := r.collaborators[k]; col != nil {
		col.perm = p
		c.noContent()
		return
	}
	if r.org != nil && r.org.members[k] != "" {
		r.collaborators[k] = &collaborator{acct: a, perm: p}
		c.noContent()
		return
	}
	c.json(http.StatusCreated, c.invitationObj(r, f.invite(r, a, c.viewer, p)))
}

// deleteCollaborator removes direct access only; like GitHub it answers 204
// even when the user was not a collaborator, and leaves invitations alone.
func (f *Fake) deleteCollaborator(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	a := c.lookupUser()
	if a == nil {
		return
	}
	delete(r.collaborators, lower(a.login))
	c.noContent()
}

func (f *Fake) listInvitations(c *call) {
	if r := c.lookupRepo(); r != nil {
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
	r := c.lookupRepo()
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
	r := c.lookupRepo()
	if r == nil {
		return
	}
	if i := c.lookupInvitation(r); i >= 0 {
		r.invitations = slices.Delete(r.invitations, i, i+1)
		c.noContent()
	}
}
