package policy

import (
	"strings"
	"testing"
	"time"
)

func TestParseRef(t *testing.T) {
	for in, want := range map[string]Ref{
		"mona":              {Login: "mona"},
		"team:acme/sre":     {Team: Team{Org: "acme", Slug: "sre"}},
		"Team:ACME/Sre.Ops": {Team: Team{Org: "acme", Slug: "sre.ops"}},
	} {
		if got, err := ParseRef(in); err != nil || got != want {
			t.Errorf("ParseRef(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	// The provider once accepted "team:ORG/SLUG:LEVEL", which no team is.
	for _, in := range []string{"team:acme", "team:acme/sre:maintainer", "team:acme/a/b", "team:", "not a login", "-mona", "team:acme/..", "team:acme/."} {
		if got, err := ParseRef(in); err == nil {
			t.Errorf("ParseRef(%q) = %+v, want an error", in, got)
		}
	}
}

func TestListed(t *testing.T) {
	entries := []string{"Bob", "team:acme/sre", "team:broken"}
	members := func(t Team) ([]string, bool) {
		if t.Key() == "acme/sre" {
			return []string{"dave"}, true
		}
		return nil, true
	}
	for login, want := range map[string]bool{"bob": true, "DAVE": true, "erin": false} {
		if listed, decided := Listed(entries, login, members); listed != want || !decided {
			t.Errorf("Listed(%q) = %v, %v; want %v, true", login, listed, decided, want)
		}
	}
	// Without members (the provider at plan time) a team member cannot be told apart.
	if listed, decided := Listed(entries, "dave", nil); listed || decided {
		t.Errorf("Listed without members = %v, %v; want false, false", listed, decided)
	}
	if listed, decided := Listed(entries, "bob", nil); !listed || !decided {
		t.Errorf("Listed by name without members = %v, %v; want true, true", listed, decided)
	}
}

// The provider calls Check without team members: what it cannot decide is
// an unknown finding, never a pass nor a block.
func TestCheckWithoutMembers(t *testing.T) {
	pol := sample(func(p *Policy) { p.Requesters = []string{"team:acme/devs"} })
	el := &Elevation{PolicyID: "admins", Principal: "mona", Scope: "github:team:acme/ops", Reason: "investigate INC-1234 in production", Duration: 5 * time.Hour}
	got := Check(el, pol, nil)
	var rules []string
	for _, f := range got {
		rules = append(rules, f.Rule)
		if f.Rule == RuleRequester && !f.Unknown {
			t.Errorf("requester finding without members is not unknown: %+v", f)
		}
	}
	if want := RuleDuration + " " + RuleRequester; strings.Join(rules, " ") != want {
		t.Errorf("rules %v, want %s", got, want)
	}
	if got[0].Attribute != "duration" || got[0].Message != `duration 5h exceeds policy "admins" max_duration 4h` {
		t.Errorf("duration finding = %+v", got[0])
	}
}

func TestValidDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                "0s must be positive",
		-time.Hour:       "-1h must be positive",
		169 * time.Hour:  "169h exceeds the hard ceiling of 168h",
		Ceiling:          "",
		90 * time.Minute: "",
	} {
		err := ValidDuration(d)
		if (err == nil) != (want == "") || err != nil && !strings.HasPrefix(err.Error(), want) {
			t.Errorf("ValidDuration(%v) = %v, want %q", d, err, want)
		}
	}
}
