package gate

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
)

// What the access-granting resources of integrations/github give, read from
// their planned values, so access.bypass can tell whether a change gives a
// policy's concrete scope to someone who is not standing. A part the plan
// does not know (a team id known only after apply, a custom role) is taken
// at its widest: the rule blocks on what it cannot rule out.

// kindOwner is what an organization owner holds: every team and repository.
const kindOwner = "owner"

// accessGrant is one thing a change gives: level at the team or
// repository name (kind), to user, or to people nobody names (user "").
type accessGrant struct {
	user  string // lowercase login; "" when the grant is not to one named user
	to    string // who gets it, in words: "erin", "every member of team sre"
	kind  string // scope.KindTeam, scope.KindRepo or kindOwner
	name  string // team slug or repository name; "" when unknown
	level string // team role or repository permission; "" when unknown
	// unknown says what the plan does not know, for messages; "" when all known.
	unknown string
}

// covers reports whether the grant gives the concrete scope sc (of kind
// kindOwner: any scope at all). Owners are not compared: the github provider's owner may come from the environment,
// so a name matches in any organization.
func (g accessGrant) covers(sc scope.Scope) bool {
	switch {
	case g.kind == kindOwner || sc.Kind == kindOwner:
		return true
	case g.kind != sc.Kind || (g.name != "" && !strings.EqualFold(g.name, sc.Name)):
		return false
	}
	rank := scope.Rank(g.kind, g.level)
	return g.level == "" || rank < 0 || rank >= scope.Rank(sc.Kind, sc.Level)
}

// within reports whether the grant gave nothing that old did not already
// give, so a change that keeps it gives nothing new.
func (g accessGrant) within(old accessGrant) bool {
	if g.unknown != "" || old.unknown != "" || g.user == "" || g.user != old.user {
		return false
	}
	if old.kind == kindOwner {
		return true
	}
	return g.kind == old.kind && strings.EqualFold(g.name, old.name) && scope.Covers(g.kind, old.level, g.level)
}

// teamIndex resolves the team_id arguments of a plan's resources: a slug as
// written, or a numeric id that a github_team of the plan has, before or
// after; parents maps a slug to its parent_team_id.
type teamIndex struct {
	slugByID map[string]string
	parents  map[string]string
}

func newTeamIndex(changes []plan.AccessChange) teamIndex {
	ti := teamIndex{slugByID: map[string]string{}, parents: map[string]string{}}
	for _, c := range changes {
		if c.Type != "github_team" {
			continue
		}
		for _, v := range []plan.Value{c.Before, c.After} {
			slug, ok := v.Attr("slug").Text()
			if !ok {
				continue
			}
			if id, ok := v.Attr("id").Text(); ok {
				ti.slugByID[id] = slug
			}
			if parent, ok := v.Attr("parent_team_id").Text(); ok && parent != "" {
				ti.parents[strings.ToLower(slug)] = parent
			}
		}
	}
	return ti
}

var numericID = regexp.MustCompile(`^[0-9]+$`)

// slug returns the team slug a team_id value names; ok is false when the
// plan cannot tell (unknown, or a numeric id of a team not in the plan).
func (ti teamIndex) slug(v plan.Value) (string, bool) {
	s, ok := v.Text()
	if !ok {
		return "", false
	}
	if numericID.MatchString(s) {
		slug, ok := ti.slugByID[s]
		return slug, ok
	}
	return s, true
}

// withParents adds, for a grant of a team's membership, the membership of
// each parent team the plan shows: child teams' members are members of the
// parent as GitHub lists them.
func (ti teamIndex) withParents(g accessGrant) []accessGrant {
	out := []accessGrant{g}
	seen := map[string]bool{}
	for g.kind == scope.KindTeam && g.name != "" && !seen[strings.ToLower(g.name)] {
		seen[strings.ToLower(g.name)] = true
		parent, ok := ti.parents[strings.ToLower(g.name)]
		if !ok {
			break
		}
		slug, known := ti.slug(plan.Value{Kind: plan.ValueString, Str: parent})
		g.name, g.level = slug, "member"
		if !known {
			g.unknown = "its parent team's id is not a team of this plan"
		}
		out = append(out, g)
	}
	return out
}

// grantsOf lists what one object (a change's before or after) of an
// access-granting type gives; ok is false for a type this table does not
// read, whose changes are judged as plan.unguarded.
func (ti teamIndex) grantsOf(typ string, v plan.Value) (grants []accessGrant, ok bool) {
	if v.IsNull() && !v.Unknown {
		return nil, true
	}
	read := grantReaders[typ]
	if read == nil {
		return nil, false
	}
	for _, g := range read(ti, v) {
		if v.Unknown {
			g.level = ""
			g = g.note(true, "the whole object is known only after apply")
		}
		grants = append(grants, ti.withParents(g)...)
	}
	return grants, true
}

// grantReaders read the grants of each access-granting type whose grants
// map onto scopes, by the type's arguments in integrations/github v6.
var grantReaders = map[string]func(teamIndex, plan.Value) []accessGrant{
	"github_membership": func(_ teamIndex, v plan.Value) []accessGrant {
		role, known := v.Attr("role").Text()
		if known && role != "admin" {
			return nil // a member's base permission is the organization's settings, judged elsewhere
		}
		g := userGrant(v)
		g.kind = kindOwner
		return []accessGrant{g.note(!known, "role is known only after apply")}
	},
	"github_team_membership": func(ti teamIndex, v plan.Value) []accessGrant {
		g := userGrant(v)
		return []accessGrant{ti.team(g, v.Attr("team_id"), v.Attr("role"))}
	},
	"github_team_members": func(ti teamIndex, v plan.Value) []accessGrant {
		team := v.Attr("team_slug")
		if team.IsNull() {
			team = v.Attr("team_id")
		}
		return each(v.Attr("members"), func(m plan.Value) accessGrant {
			return ti.team(userGrant(m), team, m.Attr("role"))
		})
	},
	"github_team": func(ti teamIndex, v plan.Value) []accessGrant {
		parent := v.Attr("parent_team_id")
		if parent.IsNull() {
			return nil
		}
		name, _ := v.Attr("name").Text()
		g := accessGrant{to: fmt.Sprintf("every member of the new child team %q", name)}
		return []accessGrant{ti.team(g, parent, plan.Value{})}
	},
	"github_team_sync_group_mapping": func(ti teamIndex, v plan.Value) []accessGrant {
		return []accessGrant{ti.team(accessGrant{to: "every member of the mapped identity-provider groups"}, v.Attr("team_slug"), plan.Value{})}
	},
	"github_emu_group_mapping": func(ti teamIndex, v plan.Value) []accessGrant {
		return []accessGrant{ti.team(accessGrant{to: "every member of the mapped external group"}, v.Attr("team_slug"), plan.Value{})}
	},
	"github_repository_collaborator": func(_ teamIndex, v plan.Value) []accessGrant {
		return []accessGrant{repoGrant(userGrant(v), v.Attr("repository"), v.Attr("permission"))}
	},
	"github_repository_collaborators": func(ti teamIndex, v plan.Value) []accessGrant {
		repo := v.Attr("repository")
		users := each(v.Attr("user"), func(u plan.Value) accessGrant {
			return repoGrant(userGrant(u), repo, u.Attr("permission"))
		})
		return append(users, each(v.Attr("team"), func(t plan.Value) accessGrant {
			return repoGrant(ti.teamMembers(t.Attr("team_id")), repo, t.Attr("permission"))
		})...)
	},
	"github_team_repository": func(ti teamIndex, v plan.Value) []accessGrant {
		return []accessGrant{repoGrant(ti.teamMembers(v.Attr("team_id")), v.Attr("repository"), v.Attr("permission"))}
	},
}

// userGrant starts a grant to the login in v's username, as every
// access-granting type names its user.
func userGrant(v plan.Value) accessGrant {
	login, ok := v.Attr("username").Text()
	if !ok {
		return accessGrant{to: "a user known only after apply", unknown: "username is known only after apply"}
	}
	return accessGrant{user: strings.ToLower(login), to: login}
}

// teamMembers starts a grant to every member of the team team_id names.
func (ti teamIndex) teamMembers(teamID plan.Value) accessGrant {
	if slug, ok := ti.slug(teamID); ok {
		return accessGrant{to: "every member of team " + slug}
	}
	return accessGrant{to: "every member of a team the plan does not name", unknown: "team_id does not name a team of the plan"}
}

// team completes g as the membership of the team teamID names, at role
// (member when null).
func (ti teamIndex) team(g accessGrant, teamID, role plan.Value) accessGrant {
	g.kind = scope.KindTeam
	slug, ok := ti.slug(teamID)
	g.name = slug
	g = g.note(!ok, "the team is known only by an id that is not a team of this plan, or after apply")
	return g.withLevel(role, "member")
}

// repoGrant completes g as permission on the repository repo names.
func repoGrant(g accessGrant, repo, permission plan.Value) accessGrant {
	g.kind = scope.KindRepo
	name, ok := repo.Text()
	if _, after, full := strings.Cut(name, "/"); full {
		name = after // OWNER/NAME
	}
	g.name = name
	g = g.note(!ok, "repository is known only after apply")
	return g.withLevel(permission, "push")
}

// withLevel sets the grant's level from v, or def when v is null; an
// unknown level, or one that is not a standard level (a custom role),
// counts as the highest.
func (g accessGrant) withLevel(v plan.Value, def string) accessGrant {
	level, ok := v.Text()
	switch {
	case v.IsNull():
		g.level = def
	case !ok:
		g = g.note(true, "the role or permission is known only after apply")
	case scope.Rank(g.kind, level) < 1:
		g = g.note(true, fmt.Sprintf("%q is not a standard level, so it may give any", level))
	default:
		g.level = level
	}
	return g
}

func (g accessGrant) note(cond bool, why string) accessGrant {
	if cond && g.unknown == "" {
		g.unknown = why
	}
	return g
}

// each applies f to every element of a list or set block; an unknown block
// is one grant nobody can name.
func each(v plan.Value, f func(plan.Value) accessGrant) []accessGrant {
	if v.Unknown {
		g := f(plan.Value{Kind: plan.ValueNull, Unknown: true})
		g.level = ""
		return []accessGrant{g.note(true, "the block is known only after apply")}
	}
	out := make([]accessGrant, 0, len(v.List))
	for _, e := range v.List {
		out = append(out, f(e))
	}
	return out
}
