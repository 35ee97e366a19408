// Package scope parses, validates and matches the access scopes that policies
// allow and elevations request: `target:kind:path[:level]`.
//
// The grammar is shared by the provider (plan-time validation, grants) and the
// gate (policy matching), so there is exactly one definition of what a scope
// is and how levels compare.
package scope

import (
	"fmt"
	"regexp"
	"strings"
)

// Kinds of GitHub scope.
const (
	KindTeam = "team"
	KindRepo = "repo"
)

// Team levels, lowest first.
var teamLevels = []string{"member", "maintainer"}

// Repository permission levels, lowest first, as GitHub's collaborator API names them.
var repoLevels = []string{"pull", "triage", "push", "maintain", "admin"}

// Wildcard matches one whole path segment or level in a policy pattern.
const Wildcard = "*"

// Scope is one parsed scope or scope pattern.
type Scope struct {
	Target string // "github"
	Kind   string // KindTeam or KindRepo
	Owner  string // organisation (team) or repository owner
	Name   string // team slug or repository name
	Level  string // team: member|maintainer; repo: pull..admin
}

// String renders the scope in its canonical form; a team member scope omits
// the default level, as users write it.
func (s Scope) String() string {
	base := fmt.Sprintf("%s:%s:%s/%s", s.Target, s.Kind, s.Owner, s.Name)
	if s.Kind == KindTeam && s.Level == "member" {
		return base
	}
	return base + ":" + s.Level
}

// Resource names the team or repository the scope grants access to,
// whatever the level, in lower case: "team:acme/admins", "repo:acme/api".
// Two scopes with the same Resource change the same access at GitHub.
func (s Scope) Resource() string {
	return strings.ToLower(s.Kind + ":" + s.Owner + "/" + s.Name)
}

// Concrete reports whether the scope names one team or repository at one
// level, without wildcards.
func (s Scope) Concrete() bool {
	return s.Owner != Wildcard && s.Name != Wildcard && s.Level != Wildcard
}

// Levels returns the ordered levels of a kind, lowest first.
func Levels(kind string) []string {
	switch kind {
	case KindTeam:
		return teamLevels
	case KindRepo:
		return repoLevels
	}
	return nil
}

// Rank orders a level within its kind: 0 means no access, 1 the lowest level.
// An unknown level ranks -1.
func Rank(kind, level string) int {
	if level == "" {
		return 0
	}
	for i, l := range Levels(kind) {
		if l == level {
			return i + 1
		}
	}
	return -1
}

// Covers reports whether holding level `held` already gives at least `want`.
func Covers(kind, held, want string) bool {
	h, w := Rank(kind, held), Rank(kind, want)
	return h >= 0 && w >= 0 && h >= w
}

// GitHub's own rules for the names we accept: logins and organisations are
// alphanumeric with single hyphens; team slugs and repository names also allow
// dots and underscores, but are never dots alone.
var (
	ownerRE = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,38}$`)
	nameRE  = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)
	loginRE = ownerRE
)

// ValidLogin reports whether s has the shape of a GitHub user login.
func ValidLogin(s string) bool { return loginRE.MatchString(s) }

// Grammar is the one-line description used in error messages.
const Grammar = `"github:team:ORG/TEAM[:member|maintainer]" or "github:repo:OWNER/REPO:pull|triage|push|maintain|admin"`

// Parse parses a concrete scope, as an elevation requests it.
func Parse(s string) (Scope, error) {
	return parse(s, false)
}

// ParsePattern parses a policy scope pattern, where `*` may stand for a whole
// path segment or level.
func ParsePattern(s string) (Scope, error) {
	return parse(s, true)
}

func parse(s string, pattern bool) (Scope, error) {
	parts := strings.Split(s, ":")
	if len(parts) < 3 || len(parts) > 4 {
		return Scope{}, fmt.Errorf("scope %q is malformed: want %s", s, Grammar)
	}
	if parts[0] != "github" {
		return Scope{}, fmt.Errorf("scope %q has unknown target %q: the only target is \"github\"", s, parts[0])
	}
	sc := Scope{Target: parts[0], Kind: parts[1]}
	switch sc.Kind {
	case KindTeam:
		sc.Level = "member"
	case KindRepo:
		if len(parts) != 4 {
			return Scope{}, fmt.Errorf("scope %q needs a level: one of %s", s, strings.Join(repoLevels, ", "))
		}
	default:
		return Scope{}, fmt.Errorf("scope %q has unknown kind %q: want \"team\" or \"repo\"", s, sc.Kind)
	}
	owner, name, ok := strings.Cut(parts[2], "/")
	if !ok || strings.Contains(name, "/") {
		return Scope{}, fmt.Errorf("scope %q has a malformed path %q: want OWNER/NAME", s, parts[2])
	}
	sc.Owner, sc.Name = owner, name
	if len(parts) == 4 {
		sc.Level = parts[3]
	}
	if err := checkSegment(s, "owner", sc.Owner, ownerRE, pattern); err != nil {
		return Scope{}, err
	}
	if err := checkSegment(s, "name", sc.Name, nameRE, pattern); err != nil {
		return Scope{}, err
	}
	if !(pattern && sc.Level == Wildcard) && Rank(sc.Kind, sc.Level) < 1 {
		return Scope{}, fmt.Errorf("scope %q has unknown level %q for %s: want one of %s",
			s, sc.Level, sc.Kind, strings.Join(Levels(sc.Kind), ", "))
	}
	return sc, nil
}

func checkSegment(s, what, v string, re *regexp.Regexp, pattern bool) error {
	if pattern && v == Wildcard {
		return nil
	}
	if strings.Contains(v, Wildcard) {
		if pattern {
			return fmt.Errorf("scope %q: %q must be a whole segment, not part of the %s %q", s, Wildcard, what, v)
		}
		return fmt.Errorf("scope %q: an elevation needs a concrete scope, without %q", s, Wildcard)
	}
	if !re.MatchString(v) {
		return fmt.Errorf("scope %q has an invalid %s %q", s, what, v)
	}
	// "." and ".." are path segments of their own: a URL built from them
	// would name another resource (orgs/acme/teams/../memberships/x is the
	// organization membership), and GitHub gives no team or repository
	// such a name.
	if strings.Trim(v, ".") == "" {
		return fmt.Errorf("scope %q has an invalid %s %q: not a plain path segment", s, what, v)
	}
	return nil
}

// Match reports whether the concrete scope s is allowed by pattern p.
// Names compare case-insensitively, as GitHub treats them.
func Match(p, s Scope) bool {
	return p.Target == s.Target && p.Kind == s.Kind &&
		segmentMatch(p.Owner, s.Owner) && segmentMatch(p.Name, s.Name) &&
		(p.Level == Wildcard || p.Level == s.Level)
}

func segmentMatch(p, v string) bool {
	return p == Wildcard || strings.EqualFold(p, v)
}

// MatchString parses pattern and scope and matches them; malformed input never matches.
func MatchString(pattern, s string) bool {
	p, err := ParsePattern(pattern)
	if err != nil {
		return false
	}
	c, err := Parse(s)
	if err != nil {
		return false
	}
	return Match(p, c)
}
