package githubfake

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
)

// Handlers for users, orgs, teams and team memberships.

func (f *Fake) getViewer(c *call) { c.json(http.StatusOK, c.publicUserObj(c.viewer)) }

func (f *Fake) getUser(c *call) {
	a := f.account(c.params["username"])
	if a == nil {
		writeNotFound(c.w)
		return
	}
	c.json(http.StatusOK, c.publicUserObj(a))
}

// getUserByID looks an account up by its durable ID, which survives renames.
func (f *Fake) getUserByID(c *call) {
	id, err := strconv.ParseInt(c.params["account_id"], 10, 64)
	a := f.accountByID(id)
	if err != nil || a == nil {
		writeNotFound(c.w)
		return
	}
	c.json(http.StatusOK, c.publicUserObj(a))
}

// lookupOrg writes a 404 and returns nil when the org does not exist, or an
// installation is not installed on it.
func (c *call) lookupOrg() *org {
	o := c.f.org(c.params["org"])
	if o == nil || (c.id.inst != nil && !c.id.inst.reachesOrg(o)) {
		writeNotFound(c.w)
		return nil
	}
	return o
}

// member reports whether the caller sees o from the inside: an org member,
// or an installation on it (its permissions were checked by the route).
func (c *call) member(o *org) bool {
	if c.id.inst != nil {
		return c.id.inst.reachesOrg(o)
	}
	_, ok := o.members[c.viewer]
	return ok
}

// owner reports whether the caller may act as an org owner: an owner, or
// an installation on the org (with the permission the route checked).
func (c *call) owner(o *org) bool {
	if c.id.inst != nil {
		return c.id.inst.reachesOrg(o)
	}
	return o.members[c.viewer] == "admin"
}

// lookupTeam finds a team visible to the caller: all of an org's teams are
// visible to its members (they are "closed"), none to anyone else.
func (c *call) lookupTeam() *team {
	o := c.lookupOrg()
	if o == nil {
		return nil
	}
	t := o.teams[lower(c.params["team_slug"])]
	if t == nil || !c.member(o) {
		writeNotFound(c.w)
		return nil
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
	o := f.org(c.params["org"])
	if o == nil {
		writeNotFound(c.w)
		return
	}
	settings := o.members[c.viewer] == "admin"
	if in := c.id.inst; in != nil {
		settings = in.reachesOrg(o) && in.has("organization_administration", "read")
	}
	c.json(http.StatusOK, c.orgObj(o, settings))
}

// listOrgMembers lists everyone to an org member, and to anyone else the
// public members, of which the fake has none: GitHub's default is to keep
// membership private.
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
	if c.member(o) {
		for a, r := range o.members {
			if role == "all" || role == r {
				members = append(members, a)
			}
		}
	}
	writePage(c, byID(members, func(a *account) int64 { return a.id }), c.user)
}

func (f *Fake) checkOrgMember(c *call) {
	o := c.lookupOrg()
	if o == nil {
		return
	}
	a := f.user(c.params["username"])
	if _, ok := o.members[a]; !ok || a == nil || !c.member(o) {
		writeNotFound(c.w)
		return
	}
	c.noContent()
}

// getOrgMembership: "the authenticated user must be an organization member"
// to see someone else's membership.
func (f *Fake) getOrgMembership(c *call) {
	o := c.lookupOrg()
	if o == nil {
		return
	}
	a := c.lookupUser()
	if a == nil {
		return
	}
	if a != c.viewer && !c.member(o) {
		c.forbidden("You must be a member of " + o.acct.login + " to see membership information for " + a.login + ".")
		return
	}
	c.orgMembership(o, a)
}

func (f *Fake) getViewerOrgMembership(c *call) {
	if o := c.lookupOrg(); o != nil {
		c.orgMembership(o, c.viewer)
	}
}

// orgMembership reports an active membership, or a pending one for a user
// with an open invitation (a team invited them); anyone else is a 404.
func (c *call) orgMembership(o *org, a *account) {
	state, role := "active", o.members[a]
	if role == "" {
		if inv := o.invitations[a]; inv == nil || inv.expired(c.f.clock.Now()) {
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
		"organization":     c.orgSimpleObj(o),
		"user":             c.user(a),
	})
}

// openInvitations returns o's unexpired invitations, oldest first.
func (c *call) openInvitations(o *org) []*orgInvitation {
	var invs []*orgInvitation
	now := c.f.clock.Now()
	for _, inv := range o.invitations {
		if !inv.expired(now) {
			invs = append(invs, inv)
		}
	}
	return byID(invs, func(i *orgInvitation) int64 { return i.id })
}

// listOrgInvitations and cancelOrgInvitation need an org owner.
func (f *Fake) listOrgInvitations(c *call) {
	o := c.lookupOrg()
	if o == nil {
		return
	}
	if !c.owner(o) {
		c.forbidden("You must be an admin to view invitations.")
		return
	}
	writePage(c, c.openInvitations(o), func(inv *orgInvitation) any { return c.orgInvitationObj(o, inv) })
}

func (f *Fake) cancelOrgInvitation(c *call) {
	o := c.lookupOrg()
	if o == nil {
		return
	}
	id, ok := c.intParam("invitation_id")
	if !ok {
		return
	}
	if !c.owner(o) {
		c.forbidden("You must be an admin to cancel invitations.")
		return
	}
	for a, inv := range o.invitations {
		if inv.id == id && !inv.expired(f.clock.Now()) {
			delete(o.invitations, a)
			// The pending team memberships were the invitation's.
			for _, t := range o.teams {
				if m := t.members[a]; m != nil && m.state == "pending" {
					delete(t.members, a)
				}
			}
			c.noContent()
			return
		}
	}
	writeNotFound(c.w)
}

func (f *Fake) listTeams(c *call) {
	o := c.lookupOrg()
	if o == nil {
		return
	}
	if !c.member(o) {
		c.forbidden("You must be a member of " + o.acct.login + " to list its teams.")
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
		c.json(http.StatusOK, c.teamFullObj(t))
	}
}

func (f *Fake) listChildTeams(c *call) {
	if t := c.lookupTeam(); t != nil {
		writePage(c, t.children(), func(t *team) any { return c.teamObj(t) })
	}
}

// listTeamMembers lists the team's active members and, as GitHub does, those
// of its child teams. role=maintainer keeps the direct maintainers (and org
// owners, whose role reads maintainer); role=member the rest. Where the org
// has the feature, each entry says its role and whether it is inherited.
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
	for a := range t.activeMembers() {
		if role == "all" || role == t.roleIn(a) {
			members = append(members, a)
		}
	}
	writePage(c, byID(members, func(a *account) int64 { return a.id }), func(a *account) any {
		u := c.userObj(a)
		if t.org.listRoles {
			m := t.members[a]
			u["role"] = t.roleIn(a)
			u["inherited"] = m == nil || m.state != "active"
		}
		return u
	})
}

// listTeamInvitations lists the open org invitations of the team's pending
// members.
func (f *Fake) listTeamInvitations(c *call) {
	t := c.lookupTeam()
	if t == nil {
		return
	}
	var invs []*orgInvitation
	for _, inv := range c.openInvitations(t.org) {
		if m := t.members[inv.invitee]; m != nil && m.state == "pending" {
			invs = append(invs, inv)
		}
	}
	writePage(c, invs, func(inv *orgInvitation) any { return c.orgInvitationObj(t.org, inv) })
}

// getTeamMembership reports a membership as GitHub does: child-team members
// are members (role member, state active: the API does not tell them apart
// from direct ones), org owners read as maintainers, and a pending member
// reads pending while their org invitation is open.
func (f *Fake) getTeamMembership(c *call) {
	t := c.lookupTeam()
	if t == nil {
		return
	}
	a := f.user(c.params["username"])
	if a == nil {
		writeNotFound(c.w)
		return
	}
	if role := t.roleIn(a); role != "" {
		c.json(http.StatusOK, c.teamMembershipObj(t, a, role, "active"))
		return
	}
	if m := t.members[a]; m != nil && m.state == "pending" {
		if inv := t.org.invitations[a]; inv != nil && !inv.expired(f.clock.Now()) {
			c.json(http.StatusOK, c.teamMembershipObj(t, a, m.role, "pending"))
			return
		}
	}
	writeNotFound(c.w)
}

// maintains reports whether the caller may manage t's members: an org
// owner, a direct maintainer of t, or an installation with members write.
func (c *call) maintains(t *team) bool {
	if c.owner(t.org) {
		return true
	}
	m := t.members[c.viewer]
	return m != nil && m.state == "active" && m.role == "maintainer"
}

const teamAdminMessage = "You must be an organization owner or a maintainer of this team to change its members."

// putTeamMembership adds or updates a direct membership. Org owners and the
// team's maintainers may add org members; only owners may invite someone
// who is not, whose membership stays pending until they accept the org
// invitation. Changing the role of an existing membership keeps its state.
func (f *Fake) putTeamMembership(c *call) {
	t := c.lookupTeam()
	if t == nil {
		return
	}
	a := f.account(c.params["username"])
	if a == nil {
		writeNotFound(c.w)
		return
	}
	if a.kind == "Organization" {
		writeValidation(c.w, "TeamMember", "user", "invalid", "An organization cannot be a team member")
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
	_, isMember := t.org.members[a]
	if !c.maintains(t) || (!isMember && !c.owner(t.org)) {
		c.forbidden(teamAdminMessage)
		return
	}
	m := t.members[a]
	if inv := t.org.invitations[a]; m != nil && m.state == "pending" && (inv == nil || inv.expired(f.clock.Now())) {
		m = nil // the invitation lapsed: a new one is sent
	}
	if m == nil {
		m = &teamMember{acct: a, state: "active"}
		if !isMember {
			m.state = "pending"
			f.inviteToOrg(t.org, a, c.viewer)
		}
		t.members[a] = m
	}
	m.role = req.Role
	role := m.role
	if m.state == "active" {
		role = t.roleIn(a)
	}
	c.json(http.StatusOK, c.teamMembershipObj(t, a, role, m.state))
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
	if !c.maintains(t) {
		c.forbidden(teamAdminMessage)
		return
	}
	if !f.removeTeamMember(t, a) {
		writeNotFound(c.w)
		return
	}
	c.noContent()
}
