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
	k := lower(a.login)
	best := ""
	if c := r.collaborators[k]; c != nil {
		best = c.perm
	}
	if r.org == nil {
		if r.owner == a {
			return "admin"
		}
		return best
	}
	if role, ok := r.org.members[k]; ok {
		if role == "admin" {
			return "admin"
		}
		best = maxPerm(best, r.org.basePerm)
	}
	for _, t := range r.org.teams {
		if m := t.members[k]; m != nil && m.state == "active" {
			best = maxPerm(best, t.repos[r.key()])
		}
	}
	return best
}

// authorAssociation is the author_association of a comment or review.
func (f *Fake) authorAssociation(r *repo, a *account) string {
	switch {
	case r.owner == a:
		return "OWNER"
	case r.org != nil && r.org.members[lower(a.login)] != "":
		return "MEMBER"
	case r.collaborators[lower(a.login)] != nil:
		return "COLLABORATOR"
	}
	return "NONE"
}
