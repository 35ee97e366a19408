package githubfake

// Repository permission levels, weakest first. "" is no access.
var permLevels = []string{"", "pull", "triage", "push", "maintain", "admin"}

// normalizePerm maps the names GitHub accepts in its various endpoints (pull
// or read, push or write, none) to the level names used internally.
func normalizePerm(p string) (string, bool) {
	switch lower(p) {
	case "", "none":
		return "", true
	case "pull", "read":
		return "pull", true
	case "push", "write":
		return "push", true
	case "triage", "maintain", "admin":
		return lower(p), true
	}
	return "", false
}

func permRank(p string) int {
	for i, l := range permLevels {
		if l == p {
			return i
		}
	}
	return 0
}

func maxPerm(a, b string) string {
	if permRank(b) > permRank(a) {
		return b
	}
	return a
}

// roleName is the "role_name" GitHub reports for a level.
func roleName(p string) string {
	switch p {
	case "":
		return "none"
	case "pull":
		return "read"
	case "push":
		return "write"
	}
	return p
}

// legacyPerm is the "permission" field of the permission-level endpoint,
// which predates triage and maintain and folds them into read and write.
func legacyPerm(p string) string {
	switch p {
	case "triage":
		return "read"
	case "maintain":
		return "write"
	}
	return roleName(p)
}

// permissionsObj is the "permissions" hash: every level up to p is true.
func permissionsObj(p string) obj {
	r := permRank(p)
	return obj{
		"pull":     r >= permRank("pull"),
		"triage":   r >= permRank("triage"),
		"push":     r >= permRank("push"),
		"maintain": r >= permRank("maintain"),
		"admin":    r >= permRank("admin"),
	}
}

func (f *Fake) effective(r *repo, a *account) string {
	best := ""
	if c := r.collaborators[a]; c != nil {
		best = c.perm
	}
	if r.org == nil {
		if r.owner == a {
			return "admin"
		}
		return best
	}
	if role, ok := r.org.members[a]; ok {
		if role == "admin" {
			return "admin"
		}
		best = maxPerm(best, r.org.basePerm)
	}
	for _, t := range r.org.teams {
		if m := t.members[a]; m != nil && m.state == "active" {
			// A child team inherits its parents' repository access.
			for p := t; p != nil; p = p.parent {
				best = maxPerm(best, p.repos[r])
			}
		}
	}
	return best
}

// reaches reports whether the team, or a parent it inherits from, has
// access to r.
func (t *team) reaches(r *repo) bool {
	for p := t; p != nil; p = p.parent {
		if p.repos[r] != "" {
			return true
		}
	}
	return false
}

// children returns the teams nested directly under t, by ID.
func (t *team) children() []*team {
	var out []*team
	for _, c := range t.org.teams {
		if c.parent == t {
			out = append(out, c)
		}
	}
	return byID(out, func(c *team) int64 { return c.id })
}

// inherited reports whether a is an active member of a team nested (at any
// depth) under t.
func (t *team) inherited(a *account) bool {
	for _, c := range t.children() {
		if m := c.members[a]; (m != nil && m.state == "active") || c.inherited(a) {
			return true
		}
	}
	return false
}

// activeMembers returns everyone GitHub lists as a member of t: its active
// direct members and those of every team nested under it.
func (t *team) activeMembers() map[*account]bool {
	out := map[*account]bool{}
	for a, m := range t.members {
		if m.state == "active" {
			out[a] = true
		}
	}
	for _, c := range t.children() {
		for a := range c.activeMembers() {
			out[a] = true
		}
	}
	return out
}

// roleIn is the role GitHub reports for a in t: maintainer for an org owner,
// the direct role for a direct member, member for one only through a child
// team; "" for a non-member.
func (t *team) roleIn(a *account) string {
	role := ""
	if m := t.members[a]; m != nil && m.state == "active" {
		role = m.role
	} else if t.inherited(a) {
		role = "member"
	}
	if role != "" && t.org.members[a] == "admin" {
		role = "maintainer"
	}
	return role
}

// authorAssociation is the author_association of a comment or review.
func (f *Fake) authorAssociation(r *repo, a *account) string {
	switch {
	case r.owner == a:
		return "OWNER"
	case r.org != nil && r.org.members[a] != "":
		return "MEMBER"
	case r.collaborators[a] != nil:
		return "COLLABORATOR"
	}
	return "NONE"
}
