package settings

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseEveryKey(t *testing.T) {
	s, err := Parse([]byte(`
governance_approvers: [alice, "team:acme/sre-leads"]
unguarded_approvals: 2
allow_types: [aws_s3_bucket, terraform_data]
trust_paths: [".github/**", "infra/**/*.hcl"]
provider: jitgate/jit
github_base_url: HTTPS://GHE.example.com/api/v3
gate_login: my-gate-app[bot]
label: prod.eu-1
token_accounts: [jit-bot]
required_check: "jit-gate / plan"
required_check_app_id: 4242
apply_environment: prod-apply
scheduled_environment: prod-cron
bypass_actors: ["team:acme/break-glass", "app:99"]
`), "jit-gate.yml")
	if err != nil {
		t.Fatal(err)
	}
	want := Settings{
		GovernanceApprovers: []string{"alice", "team:acme/sre-leads"},
		UnguardedApprovals:  2,
		AllowTypes:          []string{"aws_s3_bucket", "terraform_data"},
		TrustPaths:          []string{".github/**", "infra/**/*.hcl"},
		Provider:            "registry.terraform.io/jitgate/jit",
		GitHubBaseURL:       "https://ghe.example.com/api/v3/",
		GateLogin:           "my-gate-app[bot]",
		Label:               "prod.eu-1",
		TokenAccounts:       []string{"jit-bot"},
		Anchor: Anchor{
			RequiredCheck: "jit-gate / plan", RequiredCheckAppID: 4242, ApplyEnvironment: "prod-apply", ScheduledEnvironment: "prod-cron",
			BypassActors: []Actor{{Type: "Team", Name: "acme/break-glass"}, {Type: "Integration", ID: 99}},
		},
		Source: "jit-gate.yml",
		Found:  true,
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("Parse =\n%+v\nwant\n%+v", s, want)
	}
}

func TestEmptyFileAndDefaults(t *testing.T) {
	for _, doc := range []string{"", "# nothing set\n", "---\n"} {
		s, err := Parse([]byte(doc), "f")
		if err != nil {
			t.Fatalf("%q: %v", doc, err)
		}
		d := Default("f")
		d.Found = true
		if !reflect.DeepEqual(s, d) {
			t.Errorf("%q: got %+v, want the defaults %+v", doc, s, d)
		}
	}
	d := Default("x")
	if len(d.GovernanceApprovers) != 0 || d.UnguardedApprovals != 1 || len(d.AllowTypes) != 0 ||
		d.Provider != "registry.terraform.io/jitgate/jit" || d.GitHubBaseURL != "https://api.github.com/" || d.GateLogin != "" {
		t.Errorf("defaults differ from DESIGN: %+v", d)
	}
	if !reflect.DeepEqual(d.TrustPaths, []string{".github/**", "CODEOWNERS", "**/.terraform.lock.hcl"}) {
		t.Errorf("default trust_paths = %v", d.TrustPaths)
	}
}

// Each error names the line and the key, and says what is allowed, so a
// misconfiguration never falls back to a default unseen.
func TestParseErrorsNameKeyAndAllowed(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{"governance_approver: [alice]", `line 1: unknown key "governance_approver": want one of allow_types, apply_environment, bypass_actors, gate_login`},
		{"unguarded_approvals: 0", "line 1: unguarded_approvals: want a whole number from 1 to 10"},
		{"unguarded_approvals: \"2\"", `unguarded_approvals: want a whole number from 1 to 10 (second-party approval is not optional), got "2"`},
		{"unguarded_approvals: 11", "unguarded_approvals: want a whole number from 1 to 10"},
		{"governance_approvers: alice", "governance_approvers: want a list, got \"alice\""},
		{"governance_approvers: [alice, \"team:acme\"]", `governance_approvers: line 1: "team:acme" is not a team reference`},
		{"governance_approvers: [alice, ALICE]", `"ALICE" is listed twice`},
		{"governance_approvers: [\"bad login!\"]", `"bad login!" is neither a GitHub login nor "team:ORG/SLUG"`},
		{"allow_types: [jit_elevation]", "jit resources are always judged by their own rules"},
		{"allow_types: [Bad-Type]", `"Bad-Type" is not a Terraform resource type`},
		{"allow_types: [aws_s3_bucket, github_team_membership]", `"github_team_membership" grants team membership (role member or maintainer) by itself`},
		{"trust_paths: [\"/abs/**\"]", "is not a path glob relative to the repository root"},
		{"trust_paths: [\"a/[b\"]", "is not a path glob"},
		{"provider: hashicorp/github", `"hashicorp/github" is not a jit provider`},
		{"provider: \"not an address!\"", "is not a provider address"},
		{"github_base_url: ftp://x/", "is not an absolute http(s) URL"},
		{"github_base_url: https://u:p@x/", "must not carry credentials"},
		{"gate_login: \"a b\"", "is not a GitHub login"},
		{"label: Prod", "want up to 40 lowercase letters"},
		{"token_accounts: [\"team:acme/x\"]", "is not a GitHub login"},
		{"label: [a]", "label: want a single value, got a list"},
		{"provider: jitgate/jit\nprovider: jitgate/jit", "line 2: key provider is set twice"},
		{"- a\n- b", "the settings must be a mapping of keys"},
		{"a: [", "not valid YAML"},
		{"label: a\n---\nlabel: b", "more than one YAML document"},
	} {
		_, err := Parse([]byte(tc.doc), ".github/jit-gate.yml")
		if err == nil {
			t.Errorf("%q: no error, want %q", tc.doc, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), ".github/jit-gate.yml: ") {
			t.Errorf("%q: error %q, want it to name the file and contain %q", tc.doc, err, tc.want)
		}
	}
}

func TestTrusted(t *testing.T) {
	s := Default("")
	for path, want := range map[string]bool{
		".github/jit-gate.yml":              true,
		".github/workflows/pr-gate.yml":     true,
		"CODEOWNERS":                        true,
		"docs/CODEOWNERS":                   false, // not a default trust path
		".terraform.lock.hcl":               true,
		"infra/prod/.terraform.lock.hcl":    true,
		"infra/prod/main.tf":                false,
		"github/workflows/x.yml":            false,
		".github.yml":                       false,
		"infra/.github/workflows/other.yml": false,
	} {
		if got := s.Trusted(path); got != want {
			t.Errorf("Trusted(%q) = %v, want %v", path, got, want)
		}
	}
	// The settings file stays trusted whatever trust_paths says.
	s.TrustPaths = []string{}
	if !s.Trusted(Path) {
		t.Errorf("the settings file must always be a trust path")
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "jit-gate.yml")
	if err := os.WriteFile(path, []byte("governance_approvers: [carol]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.GovernanceApprovers, []string{"carol"}) || s.Source != path || !s.Found {
		t.Errorf("LoadFile = %+v", s)
	}
	if _, err := LoadFile(filepath.Join(dir, "missing.yml")); err == nil {
		t.Error("a --settings file that does not exist must be an error, not the defaults")
	}
}

// The example in examples/ is a valid settings file, with what it says.
func TestExampleSettings(t *testing.T) {
	s, err := LoadFile("../../examples/.github/jit-gate.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !s.Found || len(s.GovernanceApprovers) != 2 || !s.Allowed("aws_s3_bucket") || s.Provider != DefaultProvider || s.GitHubBaseURL != DefaultGitHubBaseURL {
		t.Errorf("example settings = %+v", s)
	}
}
