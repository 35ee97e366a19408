package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/jitgate/terraform-provider-jit/internal/doctor"
	"github.com/jitgate/terraform-provider-jit/internal/doctor/doctortest"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
)

// doctorRun runs `jit-gate doctor ARGS` against a fake GitHub set up as s.
func doctorRun(t *testing.T, s *doctortest.Setup, args ...string) result {
	t.Helper()
	f := githubfake.New()
	t.Cleanup(f.Close)
	s.Load(f)
	env := map[string]string{"GITHUB_TOKEN": doctortest.Token, "GITHUB_API_URL": f.URL(), "GITHUB_REPOSITORY": "acme/infra"}
	return gateRun(t, env, append([]string{"doctor"}, args...)...)
}

func goodSetup(t *testing.T) *doctortest.Setup {
	t.Helper()
	s, err := doctortest.Good("../../examples/workflows")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDoctorCommand(t *testing.T) {
	res := doctorRun(t, goodSetup(t))
	if res.code != exitPass || !strings.Contains(res.stdout, "verdict: pass: all 15 points hold") {
		t.Fatalf("good repository: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	t.Logf("jit-gate doctor, a repository set up well:\n%s", res.stdout)

	weak := goodSetup(t)
	weak.Rulesets[0].Rules[0] = doctortest.PullRequestRule(map[string]any{"dismiss_stale_reviews_on_push": false, "require_last_push_approval": false})
	weak.Rulesets[0].BypassActors = []githubfake.BypassActor{{ActorID: 5, ActorType: "RepositoryRole"}}
	weak.Files[".github/CODEOWNERS"] += "/.github/workflows/\n"
	weak.Environments[0] = githubfake.Environment{Name: "jit-apply"}
	weak.Files[".github/workflows/lint.yml"] = "on: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
	res = doctorRun(t, weak)
	if res.code != exitBlocked || !strings.Contains(res.stdout, "verdict: fail: 6 of 15 points fail, so the gate can be bypassed") {
		t.Fatalf("weak repository: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{
		"FAIL  branch.dismiss_stale", "FAIL  branch.last_push", "FAIL  branch.bypass", "FAIL  codeowners.trust_paths", "FAIL  environment.apply", "FAIL  actions.pinned",
		"fix: Settings → Rules → Rulesets",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("weak repository: output lacks %q", want)
		}
	}
	t.Logf("jit-gate doctor, a weak repository:\n%s", res.stdout)

	res = doctorRun(t, weak, "--format", "json")
	var r doctor.Result
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil || res.code != exitBlocked || r.Verdict != doctor.VerdictFail || len(r.Failing()) != 6 {
		t.Errorf("json: exit %d, %v, %+v", res.code, err, r)
	}
}

func TestDoctorErrors(t *testing.T) {
	hidden := goodSetup(t)
	hidden.Permissions["administration"] = "read"
	res := doctorRun(t, hidden, "--format", "json")
	var r doctor.Result
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil || res.code != exitError || r.Verdict != doctor.VerdictError ||
		!strings.Contains(res.stderr, "the token needs the GitHub permission administration=write") {
		t.Errorf("bypass lists hidden: exit %d, %v\n%s%s", res.code, err, res.stdout, res.stderr)
	}
	for name, args := range map[string][]string{
		"bad format": {"--format", "yaml"},
		"bad repo":   {"--repo", "nope"},
		"argument":   {"extra"},
	} {
		if res := doctorRun(t, goodSetup(t), args...); res.code != exitError || !strings.HasPrefix(res.stderr, "jit-gate doctor: ") {
			t.Errorf("%s: exit %d, stderr %q", name, res.code, res.stderr)
		}
	}
	if res := gateRun(t, map[string]string{"GITHUB_REPOSITORY": "acme/infra"}, "doctor"); res.code != exitError || !strings.Contains(res.stderr, "GITHUB_TOKEN is not set") {
		t.Errorf("no token: exit %d, stderr %q", res.code, res.stderr)
	}
}

// In a merge queue, the required check runs on the group's commit: the gate
// judges it with the approvals of the pull request the group merges.
func TestMergeGroupEvent(t *testing.T) {
	for ref, want := range map[string]int{
		"refs/heads/gh-readonly-queue/main/pr-42-" + strings.Repeat("a", 40):      42,
		"refs/heads/gh-readonly-queue/release/v2/pr-7-" + strings.Repeat("b", 40): 7,
		"refs/heads/main": -1,
		"refs/heads/gh-readonly-queue/main/pr-x-" + strings.Repeat("a", 40): -1,
	} {
		path := writeFile(t, "event.json", fmt.Sprintf(`{"merge_group":{"head_sha":"%s","head_ref":%q}}`, strings.Repeat("c", 40), ref))
		number, head, err := readEvent(path)
		switch {
		case want < 0 && err == nil:
			t.Errorf("%s: accepted as #%d", ref, number)
		case want >= 0 && (err != nil || number != want || head != ""):
			t.Errorf("%s: #%d head %q, %v; want #%d and no head", ref, number, head, err, want)
		}
	}
}
