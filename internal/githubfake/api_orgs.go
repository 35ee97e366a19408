package githubfake

import (
	"maps"
	"net/http"
	"slices"
)

// Handlers for users, orgs, teams and team memberships.

func (f *Fake) getViewer(c *call) { c.json(http.StatusOK, c.user(c.viewer)) }

func (f *Fake) getUser(c *call) {
	a := f.account(c.params["username"])
	if a == nil {
		writeNotFound(c.w)
		return
	}
	c.json(http.StatusOK, c.user(a))
}

// lookupOrg writes a 404 and returns nil when the org does not exist.
func (c *call) lookupOrg() *org {
	o := c.f.org(c.params["org"])
	if o == nil {
		writeNotFound(c.w)
	}
	return o
}

func (c *call) lookupTeam() *team {
	t := c.f.team(c.params["org"], c.params["team_slug"])
	if t == nil {
		writeNotFound(c.w)
	}
	return t
}

func (c *call) lookupUser() *account {
	a := c.f.user(c.params["username"])
	if a == nil {
		writeNotFound(c.w)
	}
	return a
}

func (f *Fake) getOrg(c *call) {
	if o := c.lookupOrg(); o != nil {
		c.json(http.StatusOK, c.orgObj(o))
	}
}

func (f *Fake) listOrgMembers(c *call) {
	o := c.lookupOrg()
	if o == nil {
		return
	}
	role := c.r.URL.Query().Get("role")
	if role == "" {
		role = "all"
	}
	if role != "all" && role != "admin" && role != "member" {
		writeValidation(c.w, "Organization", "role", "invalid", "")
		return
	}
	var members []*account
	for k, r := range o.members {
		if role == "all" || role == r {
			members = append(members, f.accounts[k])
		}
	}
	writePage(c, byID(members, func(a *account) int64 { return a.id }), c.user)
}

func (f *Fake) checkOrgMember(c *call) {
	o := c.lookupOrg()
	if o == nil {
		return
	}
	if _, ok := o.members[lower(c.params["username"])]; !ok {
		writeNotFound(c.w)
		return
	}
	c.noContent()
}

func (f *Fake) getOrgMembership(c *call) {
	o := c.lookupOrg()
	if o == nil {
		return
	}
	if a := c.lookupUser(); a != nil {
		c.orgMembership(o, a)
	}
}

func (f *Fake) getViewerOrgMembership(c *call) {
	if o := c.lookupOrg(); o != nil {
		c.orgMembership(o, c.viewer)
	}
}

// orgMembership reports an active membership, or a pending one for a user
// invited through a team; anyone else is a 404.
func (c *call) orgMembership(o *org, a *account) {
	k := lower(a.login)
	state, role := "active", o.members[k]
	if role == "" {
		if o.invitations[k] == nil {
			writeNotFound(c.w)
			return
		}
		state, role = "pending", "member"
	}
	c.json(http.StatusOK, obj{
		"url":              c.base() + "orgs/" + esc(o.acct.login) + "/memberships/" + esc(a.login),
		"state":            state,
		"role":             role,
		"organization_url": c.base() + "orgs/" + esc(o.acct.login),
		"organization":     c.orgObj(o),
		"user":             c.user(a),
	})
}

func (f *Fake) listTeams(c *call) {
	o := c.lookupOrg()
	if o == nil {
		return
	}
	keys := slices.Sorted(maps.Keys(o.teams))
	teams := make([]*team, len(keys))
	for i, k := range keys {
		teams[i] = o.teams[k]
	}
	writePage(c, teams, func(t *team) any { return c.teamObj(t) })
}

func (f *Fake) getTeam(c *call) {
	if t := c.lookupTeam(); t != nil {
		c.json(http.StatusOK, c.teamObj(t))
	}
}

func (f *Fake) listTeamMembers(c *call) {
	t := c.lookupTeam()
	if t == nil {
		return
	}
	role := c.r.URL.Query().Get("role")
	if role == "" {
		role = "all"
	}
	if role != "all" && role != "member" && role != "maintainer" {
		writeValidation(c.w, "Team", "role", "invalid", "")
		return
	}
	var members []*account
	for _, m := range t.members {
		if m.state == "active" && (role == "all" || role == m.role) {
			members = append(members, m.acct)
		}
	}
	writePage(c, byID(members, func(a *account) int64 { return a.id }), c.user)
}

func (f *Fake) listTeamInvitations(c *call) {
	t := c.lookupTeam()
	if t == nil {
		return
	}
	var invs []*orgInvitation
	for k, m := range t.members {
		if m.state == "pending" {
			invs = append(invs, t.org.invitations[k])
		}
	}
	writePage(c, byID(invs, func(i *orgInvitation) int64 { return i.id }), func(inv *orgInvitation) any {
		teams := 0
		for _, other := range t.org.teams {
			if m := other.members[lower(inv.invitee.login)]; m != nil && m.state == "pending" {
				teams++
			}
		}
		return obj{
			"id":                   inv.id,
			"node_id":              nodeID("OI", inv.id),
			"login":                inv.invitee.login,
			"email":                nil,
			"role":                 "direct_member",
			"created_at":           ts(inv.created),
			"inviter":              c.user(inv.inviter),
			"team_count":           teams,
			"invitation_teams_url": c.base() + "organizations/" + esc(t.org.acct.login) + "/invitations/" + esc(inv.invitee.login) + "/teams",
			"invitation_source":    "member",
		}
	})
}

func (f *Fake) getTeamMembership(c *call) {
	t := c.lookupTeam()
	if t == nil {
		return
	}
	m := t.members[lower(c.params["username"])]
	if m == nil {
		writeNotFound(c.w)
		return
	}
	c.json(http.StatusOK, c.teamMembershipObj(t, m))
}

// putTeamMembership adds or updates a membership. A user who is not an org
// member is invited to the org and stays pending until they accept; changing
// the role of an existing membership keeps its state.
func (f *Fake) putTeamMembership(c *call) {
	t := c.lookupTeam()
	if t == nil {
		return
	}
	a := c.lookupUser()
	if a == nil {
		return
	}
	var req struct {
		Role string `json:"role"`
	}
	if !c.decode(&req) {
		return
	}
	if req.Role == "" {
		req.Role = "member"
	}
	if req.Role != "member" && req.Role != "maintainer" {
		writeValidation(c.w, "TeamMember", "role", "invalid", "role must be member or maintainer")
		return
	}
	k := lower(a.login)
	m := t.members[k]
	if m == nil {
		m = &teamMember{acct: a, state: "active"}
		if _, ok := t.org.members[k]; !ok {
			m.state = "pending"
			f.inviteToOrg(t.org, a, c.viewer)
		}
		t.members[k] = m
	}
	m.role = req.Role
	c.json(http.StatusOK, c.teamMembershipObj(t, m))
}

func (f *Fake) deleteTeamMembership(c *call) {
	t := c.lookupTeam()
	if t == nil {
		return
	}
	a := c.lookupUser()
	if a == nil {
		return
	}
	if !f.removeTeamMember(t, a) {
		writeNotFound(c.w)
		return
	}
	c.noContent()
}
