package scope

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    Scope
		wantErr string
	}{
		{in: "github:team:acme/admins", want: Scope{"github", "team", "acme", "admins", "member"}},
		{in: "github:team:acme/admins:maintainer", want: Scope{"github", "team", "acme", "admins", "maintainer"}},
		{in: "github:repo:acme/api:admin", want: Scope{"github", "repo", "acme", "api", "admin"}},
		{in: "github:repo:acme/api.v2_x:triage", want: Scope{"github", "repo", "acme", "api.v2_x", "triage"}},
		{in: "github:repo:acme/api", wantErr: "needs a level"},
		{in: "github:repo:acme/api:write", wantErr: `unknown level "write"`},
		{in: "github:team:acme/admins:owner", wantErr: `unknown level "owner"`},
		{in: "gitlab:team:acme/admins", wantErr: "unknown target"},
		{in: "github:org:acme/admins", wantErr: "unknown kind"},
		{in: "github:team:acme", wantErr: "malformed path"},
		{in: "github:team:acme/a/b", wantErr: "malformed path"},
		{in: "github", wantErr: "malformed"},
		{in: "", wantErr: "malformed"},
		{in: "github:team:-acme/admins", wantErr: "invalid owner"},
		{in: "github:team:acme/", wantErr: "invalid name"},
		{in: "github:team:acme/*", wantErr: "concrete scope"},
		{in: "github:repo:acme/api:admin:x", wantErr: "malformed"},
		// Dot segments would make the URL of another resource.
		{in: "github:team:acme/..", wantErr: "not a plain path segment"},
		{in: "github:team:acme/.", wantErr: "not a plain path segment"},
		{in: "github:repo:acme/..:admin", wantErr: "not a plain path segment"},
		{in: "github:repo:acme/...:admin", wantErr: "not a plain path segment"},
		{in: "github:team:../oncall", wantErr: "invalid owner"},
		{in: "github:team:acme/%2e%2e", wantErr: "invalid name"},
		{in: "github:team:acme/on%2Fcall", wantErr: "invalid name"},
		{in: "github:team:acme/on?call", wantErr: "invalid name"},
		{in: "github:repo:acme/.github:push", want: Scope{"github", "repo", "acme", ".github", "push"}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse(%q) error = %v, want containing %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestStringRoundTrip(t *testing.T) {
	for _, in := range []string{"github:team:acme/admins", "github:team:acme/admins:maintainer", "github:repo:acme/api:push"} {
		s, err := Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if s.String() != in {
			t.Errorf("String() = %q, want %q", s.String(), in)
		}
	}
}

func TestParsePattern(t *testing.T) {
	for _, ok := range []string{"github:repo:acme/*:admin", "github:repo:*/*:*", "github:team:acme/*", "github:team:acme/*:*"} {
		if _, err := ParsePattern(ok); err != nil {
			t.Errorf("ParsePattern(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"github:repo:acme/api-*:admin", "github:repo:acme/*:root", "github:*:acme/x", "github:team:acme/..", "github:repo:acme/.:*"} {
		if _, err := ParsePattern(bad); err == nil {
			t.Errorf("ParsePattern(%q) accepted", bad)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, scope string
		want           bool
	}{
		{"github:repo:acme/*:admin", "github:repo:acme/api:admin", true},
		{"github:repo:acme/*:admin", "github:repo:acme/api:push", false},
		{"github:repo:acme/*:*", "github:repo:acme/api:push", true},
		{"github:repo:acme/*:admin", "github:repo:other/api:admin", false},
		{"github:team:ACME/Admins", "github:team:acme/admins", true},
		{"github:team:acme/admins", "github:team:acme/admins:maintainer", false},
		{"github:team:acme/*:maintainer", "github:team:acme/admins:maintainer", true},
		{"github:team:acme/*", "github:repo:acme/admins:admin", false},
		{"not a pattern", "github:team:acme/admins", false},
		{"github:team:acme/*", "not a scope", false},
	}
	for _, tt := range tests {
		if got := MatchString(tt.pattern, tt.scope); got != tt.want {
			t.Errorf("MatchString(%q, %q) = %v, want %v", tt.pattern, tt.scope, got, tt.want)
		}
	}
}

func TestCovers(t *testing.T) {
	tests := []struct {
		kind, held, want string
		ok               bool
	}{
		{KindRepo, "admin", "push", true},
		{KindRepo, "pull", "push", false},
		{KindRepo, "", "pull", false},
		{KindRepo, "maintain", "maintain", true},
		{KindTeam, "maintainer", "member", true},
		{KindTeam, "member", "maintainer", false},
		{KindRepo, "bogus", "pull", false},
	}
	for _, tt := range tests {
		if got := Covers(tt.kind, tt.held, tt.want); got != tt.ok {
			t.Errorf("Covers(%s, %q, %q) = %v, want %v", tt.kind, tt.held, tt.want, got, tt.ok)
		}
	}
}

func TestValidLogin(t *testing.T) {
	for _, ok := range []string{"octocat", "a", "mona-lisa", "A1-b2"} {
		if !ValidLogin(ok) {
			t.Errorf("ValidLogin(%q) = false", ok)
		}
	}
	for _, bad := range []string{"", "-x", "x-", "a--b", "dependabot[bot]", "with space", strings.Repeat("a", 40)} {
		if ValidLogin(bad) {
			t.Errorf("ValidLogin(%q) = true", bad)
		}
	}
}

func TestResource(t *testing.T) {
	a, _ := Parse("github:team:ACME/Admins")
	b, _ := Parse("github:team:acme/admins:maintainer")
	c, _ := Parse("github:repo:acme/admins:admin")
	if a.Resource() != "team:acme/admins" || a.Resource() != b.Resource() || a.Resource() == c.Resource() {
		t.Errorf("Resource: %q %q %q", a.Resource(), b.Resource(), c.Resource())
	}
}
