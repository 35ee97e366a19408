package settings

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
)

// The settings `jit-gate doctor` (and apply mode's trust.anchor) checks the
// repository's protection against: what GitHub must require, where the
// write token lives, and who alone may bypass the rules.

// Defaults of the anchor settings.
const (
	DefaultRequiredCheck = "jit-gate"
	// GitHubActionsAppID is the GitHub App that reports the checks of
	// workflow jobs: a required check bound to it cannot be satisfied by a
	// commit status anyone with write access may post.
	GitHubActionsAppID          = 15368
	DefaultApplyEnvironment     = "jit-apply"
	DefaultScheduledEnvironment = "jit-scheduled"
)

// Anchor is what the repository must require for the gate to hold.
type Anchor struct {
	// RequiredCheck is the name of the gate's check (the PR workflow's job
	// name) that the default branch must require.
	RequiredCheck string
	// RequiredCheckAppID is the app the required check must come from.
	RequiredCheckAppID int64
	// ApplyEnvironment holds the write token for the apply job;
	// ScheduledEnvironment holds it for the drift and expiry jobs. Both
	// must be limited to the default branch.
	ApplyEnvironment     string
	ScheduledEnvironment string
	// BypassActors may bypass the default branch's rules (see ParseActor);
	// anyone else who may is a weakness.
	BypassActors []Actor
}

// DefaultAnchor is what a repository without the keys must require.
func DefaultAnchor() Anchor {
	return Anchor{
		RequiredCheck:        DefaultRequiredCheck,
		RequiredCheckAppID:   GitHubActionsAppID,
		ApplyEnvironment:     DefaultApplyEnvironment,
		ScheduledEnvironment: DefaultScheduledEnvironment,
		BypassActors:         []Actor{},
	}
}

// Actor is a ruleset bypass actor as GitHub names it: a type and, for teams,
// users, apps and repository roles, whom. Team and User are named by
// Name (ORG/SLUG or login), Integration and RepositoryRole by ID.
type Actor struct {
	Type string // Team, User, Integration, RepositoryRole, OrganizationAdmin, DeployKey
	Name string
	ID   int64
}

// String is the actor as the settings spell it.
func (a Actor) String() string {
	switch a.Type {
	case "Team":
		return "team:" + a.Name
	case "User":
		return "user:" + a.Name
	case "Integration":
		return "app:" + strconv.FormatInt(a.ID, 10)
	case "RepositoryRole":
		return "role:" + strconv.FormatInt(a.ID, 10)
	case "OrganizationAdmin":
		return "org-admins"
	}
	return "deploy-keys"
}

const actorsAllowed = `"team:ORG/SLUG", "user:LOGIN", "app:APP_ID", "role:REPOSITORY_ROLE_ID", "org-admins" or "deploy-keys"`

// ParseActor reads one entry of bypass_actors.
func ParseActor(s string) (Actor, error) {
	kind, rest, _ := strings.Cut(s, ":")
	number := func(typ string) (Actor, error) {
		id, err := strconv.ParseInt(rest, 10, 64)
		if err != nil || id <= 0 {
			return Actor{}, fmt.Errorf("%q: the id after %q must be a positive number", s, kind+":")
		}
		return Actor{Type: typ, ID: id}, nil
	}
	switch {
	case s == "org-admins":
		return Actor{Type: "OrganizationAdmin"}, nil
	case s == "deploy-keys":
		return Actor{Type: "DeployKey"}, nil
	case kind == "team":
		t, err := policy.ParseRef("team:" + rest)
		if err != nil || !t.IsTeam() {
			return Actor{}, fmt.Errorf("%q is not team:ORG/SLUG", s)
		}
		return Actor{Type: "Team", Name: t.Team.Key()}, nil
	case kind == "user":
		if !scope.ValidLogin(strings.TrimSuffix(rest, "[bot]")) {
			return Actor{}, fmt.Errorf("%q: %q is not a GitHub login", s, rest)
		}
		return Actor{Type: "User", Name: rest}, nil
	case kind == "app":
		return number("Integration")
	case kind == "role":
		return number("RepositoryRole")
	}
	return Actor{}, fmt.Errorf("%q is not a bypass actor: want %s", s, actorsAllowed)
}

var environmentRE = regexp.MustCompile(`^[^,'"\x00-\x1f]{1,255}$`)

// anchorKeys are registered beside the others; their defaults are
// DefaultAnchor's.
var anchorKeys = map[string]*key{
	"required_check": {
		allows: "the name of the gate's check, as the pull request workflow's job names it",
		set: func(s *Settings, n *yaml.Node) error {
			v, err := scalar(n)
			if err == nil && strings.TrimSpace(v) == "" {
				err = fmt.Errorf("want a check name, got %s", shown(n))
			}
			s.RequiredCheck = v
			return err
		},
	},
	"required_check_app_id": {
		allows: "the id of the GitHub App the check must come from (15368, GitHub Actions)",
		set: func(s *Settings, n *yaml.Node) error {
			v, err := strconv.ParseInt(n.Value, 10, 64)
			if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil || v <= 0 {
				return fmt.Errorf("want a GitHub App id (a positive whole number), got %s", shown(n))
			}
			s.RequiredCheckAppID = v
			return nil
		},
	},
	"apply_environment":     environmentKey("the apply job", func(s *Settings) *string { return &s.ApplyEnvironment }),
	"scheduled_environment": environmentKey("the drift and expiry jobs", func(s *Settings) *string { return &s.ScheduledEnvironment }),
	"bypass_actors": {
		allows: "a list of " + actorsAllowed,
		set: func(s *Settings, n *yaml.Node) error {
			var names []string
			if err := setList(n, &names, func(v string) error { _, err := ParseActor(v); return err }); err != nil {
				return err
			}
			s.BypassActors = []Actor{}
			for _, v := range names {
				a, _ := ParseActor(v)
				s.BypassActors = append(s.BypassActors, a)
			}
			return nil
		},
	},
}

func environmentKey(who string, field func(*Settings) *string) *key {
	return &key{
		allows: "the name of the environment that holds the write token for " + who,
		set: func(s *Settings, n *yaml.Node) error {
			v, err := scalar(n)
			if err != nil {
				return err
			}
			if !environmentRE.MatchString(v) {
				return fmt.Errorf("%q is not an environment name (1 to 255 characters, no commas or quotes)", v)
			}
			*field(s) = v
			return nil
		},
	}
}

func init() {
	for name, k := range anchorKeys {
		keys[name] = k
	}
}
