package settings

import (
	"strings"
	"testing"
)

func TestAnchorDefaults(t *testing.T) {
	d := Default("x")
	if d.RequiredCheck != "jit-gate" || d.RequiredCheckAppID != 15368 || d.ApplyEnvironment != "jit-apply" ||
		d.ScheduledEnvironment != "jit-scheduled" || d.BypassActors == nil || len(d.BypassActors) != 0 {
		t.Errorf("anchor defaults = %+v", d.Anchor)
	}
}

func TestBypassActors(t *testing.T) {
	s, err := Parse([]byte(`bypass_actors: ["team:Acme/Leads", "user:octo-cat", "app:15368", "role:5", org-admins, deploy-keys]`), "f")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range s.BypassActors {
		got = append(got, a.String())
	}
	if want := "team:acme/leads user:octo-cat app:15368 role:5 org-admins deploy-keys"; strings.Join(got, " ") != want {
		t.Errorf("bypass actors = %v, want %s", got, want)
	}
}

// Like every key, the anchor keys refuse what they cannot mean, naming the
// line, the key and what is allowed.
func TestAnchorKeyErrors(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{`required_check: ""`, `line 1: required_check: want a check name`},
		{`required_check: [a]`, `required_check: want a single value, got a list`},
		{`required_check_app_id: 0`, `required_check_app_id: want a GitHub App id (a positive whole number), got "0"`},
		{`required_check_app_id: actions`, `want a GitHub App id`},
		{`apply_environment: "prod,eu"`, `apply_environment: "prod,eu" is not an environment name`},
		{`scheduled_environment: ~`, `scheduled_environment: want a single value, got nothing`},
		{`bypass_actors: [admins]`, `bypass_actors: line 1: "admins" is not a bypass actor: want "team:ORG/SLUG", "user:LOGIN"`},
		{`bypass_actors: ["team:acme"]`, `"team:acme" is not team:ORG/SLUG`},
		{`bypass_actors: ["app:x"]`, `"app:x": the id after "app:" must be a positive number`},
		{`bypass_actors: ["user:bad login"]`, `"bad login" is not a GitHub login`},
		{`bypass_actors: [org-admins, org-admins]`, `"org-admins" is listed twice`},
	} {
		_, err := Parse([]byte(tc.doc), ".github/jit-gate.yml")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to contain %q", tc.doc, err, tc.want)
		}
	}
}
