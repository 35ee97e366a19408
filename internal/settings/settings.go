// Package settings reads the gate's trusted settings, `.github/jit-gate.yml`.
//
// They are trusted because of where they are read from: through the contents
// API at a commit the pull request cannot change (its base commit in pr mode,
// the merge commit's first parent in apply mode, the checked commit in drift
// mode), or from a file named on the command line for local runs. A pull
// request that edits the file is judged under the settings of its base, and
// its edit is itself a change that needs the governance approvers (gate.trust).
package settings

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	tfaddr "github.com/hashicorp/terraform-registry-address"
	"go.yaml.in/yaml/v3"

	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
)

// Path is where the settings live in the repository.
const Path = ".github/jit-gate.yml"

// Defaults for keys the file leaves out (DESIGN: "A missing file means ...").
const (
	DefaultProvider = "registry.terraform.io/jitgate/jit"
	// OpenTofuProvider is the default provider as an OpenTofu plan names it:
	// OpenTofu's registry serves the same releases, signed with the same key.
	OpenTofuProvider     = "registry.opentofu.org/jitgate/jit"
	DefaultGitHubBaseURL = "https://api.github.com/"
	// DefaultUnguardedApprovals is how many governance approvals a change
	// outside jit resources needs; fewer than one is not allowed.
	DefaultUnguardedApprovals = 1
	maxApprovals              = 10
)

// DefaultTrustPaths are the files whose change can alter what the gate sees
// or how it runs: the workflows, the code owners and the provider lock files.
var DefaultTrustPaths = []string{".github/**", "CODEOWNERS", "**/.terraform.lock.hcl"}

// Settings are the gate's trusted settings, with every default applied.
type Settings struct {
	// GovernanceApprovers (logins and "team:ORG/SLUG") approve new policies,
	// changes to trust paths and unguarded changes. Empty blocks all three.
	GovernanceApprovers []string
	// UnguardedApprovals is how many of them a change outside jit resources needs.
	UnguardedApprovals int
	// AllowTypes are resource types whose changes need no extra approval;
	// they never exempt provisioners or jit_* resources.
	AllowTypes []string
	// TrustPaths are doublestar globs of files whose change is gate.trust.
	// The settings file itself always is, whatever this list says.
	TrustPaths []string
	// Provider is the only provider address jit_* resources may come from.
	Provider string
	// GitHubBaseURL is the only GitHub a jit provider configuration may
	// point at, with a trailing slash.
	GitHubBaseURL string
	// GateLogin is the account whose comments are the gate's; "" means:
	// ask GitHub who the token is (GET /user), else github-actions[bot].
	GateLogin string
	// Label tells apart the reports of several root modules in one pull request.
	Label string
	// TokenAccounts are the accounts whose tokens the jit provider runs
	// with (a personal token's owner, often an org owner who holds every
	// repository at admin). What they hold is reported as the token's, not
	// as shadow access; a GitHub App's token has no such account.
	TokenAccounts []string
	// Anchor is what the repository's protection must require (anchor.go).
	Anchor

	// Source says where these settings came from, for reports and errors.
	Source string
	// Found is false when the file does not exist at Source.
	Found bool
}

// Default returns the settings of a repository without the file.
func Default(source string) Settings {
	return Settings{
		GovernanceApprovers: []string{},
		UnguardedApprovals:  DefaultUnguardedApprovals,
		AllowTypes:          []string{},
		TrustPaths:          slices.Clone(DefaultTrustPaths),
		Provider:            DefaultProvider,
		GitHubBaseURL:       DefaultGitHubBaseURL,
		Anchor:              DefaultAnchor(),
		Source:              source,
	}
}

// LoadFile reads settings from a local file, for runs without a repository.
func LoadFile(path string) (Settings, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Settings{}, fmt.Errorf("read settings: %w", err)
	}
	return Parse(data, path)
}

// Parse reads the YAML of a settings file. Every error names the file, the
// line, the key and what it allows. Unknown keys are errors: a misspelt key
// silently falling back to its default would loosen the gate unseen.
func Parse(data []byte, source string) (Settings, error) {
	s := Default(source)
	s.Found = true
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	switch err := dec.Decode(&doc); {
	case errors.Is(err, io.EOF):
		return s, nil // an empty file: every default
	case err != nil:
		return Settings{}, fmt.Errorf("%s: not valid YAML: %w", source, err)
	}
	if err := dec.Decode(&yaml.Node{}); !errors.Is(err, io.EOF) {
		return Settings{}, fmt.Errorf("%s: holds more than one YAML document; the settings are one mapping", source)
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return s, nil
	}
	if root.Kind != yaml.MappingNode {
		return Settings{}, fmt.Errorf("%s: line %d: the settings must be a mapping of keys (%s)", source, root.Line, strings.Join(keyNames(), ", "))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		key := keys[k.Value]
		if key == nil || k.Kind != yaml.ScalarNode {
			return Settings{}, fmt.Errorf("%s: line %d: unknown key %q: want one of %s", source, k.Line, k.Value, strings.Join(keyNames(), ", "))
		}
		if seen[k.Value] {
			return Settings{}, fmt.Errorf("%s: line %d: key %s is set twice", source, k.Line, k.Value)
		}
		seen[k.Value] = true
		if err := key.set(&s, v); err != nil {
			return Settings{}, fmt.Errorf("%s: line %d: %s: %w", source, v.Line, k.Value, err)
		}
	}
	return s, nil
}

// key is one settings key: what it allows and how it is read.
type key struct {
	allows string
	set    func(*Settings, *yaml.Node) error
}

var keys = map[string]*key{
	"governance_approvers": {
		allows: `a list of GitHub logins and "team:ORG/SLUG"`,
		set: func(s *Settings, n *yaml.Node) error {
			return setList(n, &s.GovernanceApprovers, checkPrincipalRef)
		},
	},
	"unguarded_approvals": {
		allows: "a whole number from 1 to 10",
		set: func(s *Settings, n *yaml.Node) error {
			v, err := strconv.Atoi(n.Value)
			if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil || v < 1 || v > maxApprovals {
				return fmt.Errorf("want a whole number from 1 to %d (second-party approval is not optional), got %s", maxApprovals, shown(n))
			}
			s.UnguardedApprovals = v
			return nil
		},
	},
	"allow_types": {
		allows: "a list of Terraform resource types, neither jit_* nor one that grants GitHub access",
		set: func(s *Settings, n *yaml.Node) error {
			return setList(n, &s.AllowTypes, checkAllowType)
		},
	},
	"trust_paths": {
		allows: `a list of path globs ("**" matches any number of directories)`,
		set: func(s *Settings, n *yaml.Node) error {
			return setList(n, &s.TrustPaths, func(p string) error {
				if p == "" || strings.HasPrefix(p, "/") || !doublestar.ValidatePattern(p) {
					return fmt.Errorf("%q is not a path glob relative to the repository root", p)
				}
				return nil
			})
		},
	},
	"provider": {
		allows: "a provider address such as registry.terraform.io/jitgate/jit",
		set: func(s *Settings, n *yaml.Node) error {
			v, err := scalar(n)
			if err != nil {
				return err
			}
			addr, err := tfaddr.ParseProviderSource(v)
			if err != nil {
				return fmt.Errorf("%q is not a provider address (HOST/NAMESPACE/TYPE): %v", v, err)
			}
			if addr.Type != "jit" {
				return fmt.Errorf("%q is not a jit provider: its type must be \"jit\"", v)
			}
			s.Provider = addr.String()
			return nil
		},
	},
	"github_base_url": {
		allows: "an https URL of the GitHub REST API",
		set: func(s *Settings, n *yaml.Node) error {
			v, err := scalar(n)
			if err != nil {
				return err
			}
			u, err := NormalizeBaseURL(v)
			if err != nil {
				return err
			}
			s.GitHubBaseURL = u
			return nil
		},
	},
	"gate_login": {
		allows: "a GitHub login, such as my-gate-app[bot]",
		set: func(s *Settings, n *yaml.Node) error {
			v, err := scalar(n)
			if err != nil {
				return err
			}
			if !scope.ValidLogin(strings.TrimSuffix(v, "[bot]")) {
				return fmt.Errorf("%q is not a GitHub login (an app's is NAME[bot])", v)
			}
			s.GateLogin = v
			return nil
		},
	},
	"token_accounts": {
		allows: "a list of GitHub logins: the accounts of the provider's personal access tokens",
		set: func(s *Settings, n *yaml.Node) error {
			return setList(n, &s.TokenAccounts, func(v string) error {
				if !scope.ValidLogin(v) {
					return fmt.Errorf("%q is not a GitHub login", v)
				}
				return nil
			})
		},
	},
	"label": {
		allows: "up to 40 lowercase letters, digits, '.', '_' or '-'",
		set: func(s *Settings, n *yaml.Node) error {
			v, err := scalar(n)
			if err != nil {
				return err
			}
			if !labelRE.MatchString(v) {
				return fmt.Errorf("%q: want up to 40 lowercase letters, digits, '.', '_' or '-'", v)
			}
			s.Label = v
			return nil
		},
	},
}

var labelRE = regexp.MustCompile(`^[a-z0-9._-]{0,40}$`)

func keyNames() []string {
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// Allows describes every key and what it takes, for help texts.
func Allows() map[string]string {
	out := map[string]string{}
	for k, v := range keys {
		out[k] = v.allows
	}
	return out
}

func scalar(n *yaml.Node) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", fmt.Errorf("want a single value, got %s", shown(n))
	}
	return n.Value, nil
}

// setList reads a sequence of strings into dst, checking each and refusing
// duplicates.
func setList(n *yaml.Node, dst *[]string, check func(string) error) error {
	if n.Kind != yaml.SequenceNode {
		return fmt.Errorf("want a list, got %s", shown(n))
	}
	out := []string{}
	for _, item := range n.Content {
		v, err := scalar(item)
		if err != nil {
			return fmt.Errorf("line %d: %w", item.Line, err)
		}
		if err := check(v); err != nil {
			return fmt.Errorf("line %d: %w", item.Line, err)
		}
		if slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, v) }) {
			return fmt.Errorf("line %d: %q is listed twice", item.Line, v)
		}
		out = append(out, v)
	}
	*dst = out
	return nil
}

func shown(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	if n.Tag == "!!null" {
		return "nothing"
	}
	return strconv.Quote(n.Value)
}

func checkPrincipalRef(s string) error {
	_, err := policy.ParseRef(s)
	return err
}

var typeRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func checkAllowType(t string) error {
	switch {
	case !typeRE.MatchString(t):
		return fmt.Errorf("%q is not a Terraform resource type", t)
	case strings.HasPrefix(t, "jit_"):
		return fmt.Errorf("%q: jit resources are always judged by their own rules and cannot be allowed", t)
	}
	if grants, ok := plan.AccessGrant(t); ok {
		return fmt.Errorf("%q grants %s by itself: its changes are always judged (access.bypass or plan.unguarded) and cannot be allowed", t, grants)
	}
	return nil
}

// NormalizeBaseURL checks that raw is an absolute http(s) URL without
// credentials, query or fragment and returns it lowercased in scheme and host
// with a trailing slash, so two spellings of one API compare equal.
func NormalizeBaseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "", fmt.Errorf("%q is not a URL", raw)
	case u.Scheme != "https" && u.Scheme != "http", u.Host == "":
		return "", fmt.Errorf("%q is not an absolute http(s) URL", raw)
	case u.User != nil:
		return "", fmt.Errorf("%q must not carry credentials", u.Redacted())
	case u.RawQuery != "" || u.Fragment != "":
		return "", fmt.Errorf("%q must not have a query or fragment", raw)
	}
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u.String(), nil
}

// Trusted reports whether a change to path (relative to the repository
// root) is a change to what the gate trusts: the settings file itself, or a
// file matching TrustPaths.
func (s Settings) Trusted(path string) bool {
	if path == Path {
		return true
	}
	for _, p := range s.TrustPaths {
		if ok, _ := doublestar.Match(p, path); ok {
			return true
		}
	}
	return false
}

// TrustsProvider says whether jit_* resources may come from the provider
// address addr. The default provider is trusted from either public
// registry, so the same configuration passes under Terraform and OpenTofu;
// any other provider set in the file is trusted alone.
func (s Settings) TrustsProvider(addr string) bool {
	return addr == s.Provider || (s.Provider == DefaultProvider && addr == OpenTofuProvider)
}

// Allowed reports whether resource type t is in AllowTypes.
func (s Settings) Allowed(t string) bool { return slices.Contains(s.AllowTypes, t) }
