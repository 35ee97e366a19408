package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/jitgate/terraform-provider-jit/internal/scope"
)

// TeamPrefix marks a team among approvers, requesters and governance
// approvers: "team:ORG/SLUG".
const TeamPrefix = "team:"

// Team is a GitHub team, in lower case as GitHub compares them.
type Team struct{ Org, Slug string }

// Key is the team as "org/slug".
func (t Team) Key() string { return t.Org + "/" + t.Slug }

// Ref is one entry of approvers, requesters or governance approvers: a
// login, or a team when Team.Org is set.
type Ref struct {
	Login string
	Team  Team
}

// IsTeam reports whether the entry names a team.
func (r Ref) IsTeam() bool { return r.Team.Org != "" }

// ParseRef reads a login or "team:ORG/SLUG" (the prefix in any case) and
// checks its names as GitHub does.
func ParseRef(s string) (Ref, error) {
	ref, team := splitRef(s)
	if team {
		_, err := scope.Parse("github:team:" + s[len(TeamPrefix):])
		if err != nil || ref.Team.Org == "" || strings.Contains(ref.Team.Slug, ":") {
			return Ref{}, fmt.Errorf("%q is not a team reference: want \"team:ORG/SLUG\"", s)
		}
		return ref, nil
	}
	if !scope.ValidLogin(s) {
		return Ref{}, fmt.Errorf("%q is neither a GitHub login nor \"team:ORG/SLUG\"", s)
	}
	return ref, nil
}

// splitRef is the one reading of an entry, without the name checks (the
// gate matches reviewers against entries the provider validated): team
// says the entry has the team prefix; a team without ORG/SLUG has no Org.
func splitRef(s string) (ref Ref, team bool) {
	if len(s) < len(TeamPrefix) || !strings.EqualFold(s[:len(TeamPrefix)], TeamPrefix) {
		return Ref{Login: s}, false
	}
	org, slug, ok := strings.Cut(s[len(TeamPrefix):], "/")
	if !ok || org == "" || slug == "" || strings.Contains(slug, "/") {
		return Ref{}, true
	}
	return Ref{Team: Team{Org: strings.ToLower(org), Slug: strings.ToLower(slug)}}, true
}

// Members lists a team's active members; known is false where they were
// not read (the provider at plan time).
type Members func(t Team) (logins []string, known bool)

// Listed reports whether login is among entries, directly or as a member of
// one of its teams; logins compare case-insensitively. decided is false when
// login is not listed but might be a member of a team whose members are not
// known. A malformed entry lists nobody.
func Listed(entries []string, login string, members Members) (listed, decided bool) {
	decided = true
	for _, e := range entries {
		ref, team := splitRef(e)
		switch {
		case team && !ref.IsTeam():
		case !team:
			if strings.EqualFold(ref.Login, login) {
				return true, true
			}
		case members == nil:
			decided = false
		default:
			logins, known := members(ref.Team)
			for _, m := range logins {
				if strings.EqualFold(m, login) {
					return true, true
				}
			}
			decided = decided && known
		}
	}
	return false, decided
}

// Teams lists the distinct teams of the entries, in order.
func Teams(entries []string) []Team {
	var out []Team
	for _, e := range entries {
		if ref, err := ParseRef(e); err == nil && ref.IsTeam() && !slices.Contains(out, ref.Team) {
			out = append(out, ref.Team)
		}
	}
	return out
}
