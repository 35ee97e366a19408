package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/audit"
	"github.com/jitgate/terraform-provider-jit/internal/doctor/doctortest"
	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
	"github.com/jitgate/terraform-provider-jit/internal/prfacts"
	"github.com/jitgate/terraform-provider-jit/internal/report"
)

// tfWorld is a Terraform working directory using the provider built from
// this checkout, against an in-process fake GitHub.
type tfWorld struct {
	dir, terraform, rc string
	gh                 *githubfake.Fake
	gateEnv            map[string]string
}

const (
	providerToken = "provider-token"
	gateToken     = "gate-token"
)

func newTFWorld(t *testing.T) *tfWorld {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("needs Terraform: set TF_ACC=1 and TF_ACC_TERRAFORM_PATH (make test does)")
	}
	terraform := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if terraform == "" {
		var err error
		if terraform, err = exec.LookPath("terraform"); err != nil {
			t.Fatal("set TF_ACC_TERRAFORM_PATH (scripts/ensure-terraform.sh prints one)")
		}
	}
	bin := t.TempDir()
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-jit"), "github.com/jitgate/terraform-provider-jit").CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	rc := filepath.Join(bin, "terraformrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf("provider_installation {\n  dev_overrides { \"jitgate/jit\" = %q }\n  direct {}\n}\n", bin)), 0o644); err != nil {
		t.Fatal(err)
	}

	gh := githubfake.New()
	t.Cleanup(gh.Close)
	for _, u := range []string{"jit-bot", "gatekeeper", "alice", "bob", "mona", "carol", "dave", "erin", "lead", "mallory"} {
		gh.AddUser(u)
	}
	gh.AddOrg("acme")
	gh.SetOrgMember("acme", "jit-bot", "admin")
	for _, u := range []string{"mona", "carol", "dave", "erin"} {
		gh.SetOrgMember("acme", u, "member")
	}
	gh.AddTeam("acme", "oncall")
	gh.AddRepo("acme", "infra")
	gh.AddToken(providerToken, "jit-bot")
	// What the gate reads and writes needs push; seeing who may bypass the
	// rulesets (apply mode's trust.anchor) needs admin.
	gh.SetCollaborator("acme", "infra", "gatekeeper", "admin")
	gh.AddToken(gateToken, "gatekeeper")
	gh.AddToken("lead-token", "lead")
	gh.SetCollaborator("acme", "infra", "lead", "maintain")
	// The default branch holds the gate's trusted settings, and is protected
	// so that apply mode's trust.anchor holds.
	gh.PushCommit("acme", "infra", githubfake.RepoCommit{Branch: "main", Message: "settings",
		Files: map[string]string{".github/jit-gate.yml": "gate_login: gatekeeper\n", ".github/CODEOWNERS": "* @lead\n"}})
	gh.AddRuleset("acme", "infra", githubfake.Ruleset{Name: "protect main", Include: []string{"~DEFAULT_BRANCH"},
		Rules: []githubfake.Rule{doctortest.PullRequestRule(nil), doctortest.RequiredCheck("jit-gate", 15368), {Type: "non_fast_forward"}, {Type: "deletion"}}})
	for _, env := range []string{"jit-apply", "jit-scheduled"} {
		gh.SetEnvironment("acme", "infra", githubfake.Environment{Name: env, Branches: "custom", BranchPolicies: []githubfake.BranchPolicy{{Name: "main"}}})
	}
	return &tfWorld{dir: t.TempDir(), terraform: terraform, rc: rc, gh: gh, gateEnv: map[string]string{
		"GITHUB_TOKEN":      gateToken,
		"GITHUB_API_URL":    gh.URL(),
		"GITHUB_REPOSITORY": "acme/infra",
		"GITHUB_SERVER_URL": "https://github.example",
		"GITHUB_RUN_ID":     "42",
		"JIT_GATE_SEAL_KEY": sealKey,
	}}
}

// sealKey is the seal key of the protected environments in these tests.
var sealKey = strings.Repeat("c0ffee", 11)

// merge pushes commit sha on top of main, as GitHub does when it merges
// pull request number, and merges it.
func (w *tfWorld) merge(number int, sha string) {
	w.gh.PushCommit("acme", "infra", githubfake.RepoCommit{SHA: sha, Parents: []string{w.mainHead()}, Branch: "main", Message: fmt.Sprintf("Merge pull request #%d", number)})
	w.gh.MergePR("acme", "infra", number, sha)
}

func (w *tfWorld) mainHead() string {
	for _, r := range w.gh.Snapshot().Repos {
		if r.Owner == "acme" && r.Name == "infra" {
			return r.Branches["main"]
		}
	}
	return ""
}

// tf runs terraform in the working directory; sha is GITHUB_SHA, which the
// provider records as granted_by_commit.
func (w *tfWorld) tf(t *testing.T, sha string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(w.terraform, append(args, "-no-color")...)
	cmd.Dir = w.dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TF_CLI_CONFIG_FILE=" + w.rc,
		"CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "GITHUB_SHA=" + sha,
		// The provider's GitHub comes from the environment, as the gate trusts it.
		"GITHUB_TOKEN=" + providerToken, "GITHUB_API_URL=" + w.gh.URL()}
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("terraform %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr)
	}
	return out
}

// plan writes resources as the configuration, plans it as commit sha and
// returns the path of the plan's `terraform show -json`; the plan is
// saved as name.tfplan.
func (w *tfWorld) plan(t *testing.T, sha, name, resources string) string {
	t.Helper()
	config := fmt.Sprintf(`terraform {
  required_providers {
    jit = { source = "jitgate/jit" }
  }
}

provider "jit" {}
%s`, resources)
	if err := os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	w.tf(t, sha, "plan", "-input=false", "-out="+name+".tfplan")
	return w.save(t, name+".plan.json", w.tf(t, sha, "show", "-json", name+".tfplan"))
}

// apply plans resources, applies the plan as commit sha and returns the
// paths of the plan's and the new state's `terraform show -json`.
func (w *tfWorld) apply(t *testing.T, sha, name, resources string) (planJSON, stateJSON string) {
	t.Helper()
	planJSON = w.plan(t, sha, name, resources)
	w.tf(t, sha, "apply", "-input=false", name+".tfplan")
	return planJSON, w.save(t, name+".state.json", w.tf(t, sha, "show", "-json"))
}

func (w *tfWorld) save(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(w.dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// gate runs jit-gate with the gate's token and the Actions variables, plus env.
func (w *tfWorld) gate(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	all := map[string]string{}
	for k, v := range w.gateEnv {
		all[k] = v
	}
	for k, v := range env {
		all[k] = v
	}
	return gateRun(t, all, args...)
}

const oncallPolicy = `
resource "jit_optout_policy" "oncall" {
  name               = "oncall"
  scopes             = ["github:team:acme/oncall"]
  max_duration       = "2h"
  required_approvals = 1
  approvers          = ["bob"]

  break_glass {
    enabled            = true
    max_duration       = "1h"
    required_approvals = 0
    review_within      = "2s"
  }
}
`

func elevationHCL(name, principal, duration string, extra string) string {
	return fmt.Sprintf(`
resource "jit_elevation" %q {
  policy_id = jit_optout_policy.oncall.id
  principal = %q
  scope     = "github:team:acme/oncall"
  reason    = "Pager storm on payments, %s takes the pager"
  ticket    = "INC-4711"
  duration  = %q
  %s
}
`, name, principal, principal, duration, extra)
}

// The audit trail on real Terraform: the grants of a merged pull request
// are sealed into the audit log and copied to it, the revocation after
// expiry goes to the log, the state answers who held the scope when with
// the approvers joined, an elevation applied by hand without a record
// cannot leave the configuration until jit-gate prune archives it, and
// once the ended blocks are gone the records alone still tell the whole
// story. A hand-edited record fails verification.
func TestAuditTrailTerraform(t *testing.T) {
	w := newTFWorld(t)
	const merge = "1111111111111111111111111111111111111111"
	const prHead = "aaaa000000000000000000000000000000000001"
	const cleanup = "2222222222222222222222222222222222222222"

	// erin's 2s are applied by hand, outside any workflow: no record.
	_, state0 := w.apply(t, "", "policy", oncallPolicy+elevationHCL("erin", "erin", "2s", ""))
	hand, err := audit.ReadStateFile(state0)
	if err != nil || len(hand) != 1 {
		t.Fatalf("erin's state: %v, %v", hand, err)
	}
	erinEnds, _ := time.Parse(time.RFC3339, hand[0].ExpiresAt)

	// PR #1 by alice asks for mona (3s), carol (1h) and a break-glass hour
	// for dave; bob approves, it is merged and applied.
	pr := w.gh.AddPullRequest("acme", "infra", githubfake.PullRequest{Author: "alice"})
	w.gh.AddCommit("acme", "infra", pr, prHead, "alice", "alice")
	w.gh.AddReview("acme", "infra", pr, "bob", "APPROVED", prHead)
	w.merge(pr, merge)
	// The fake's clock runs ahead of real time by one second per event: wait
	// until bob's approval is in the past, so it counts as given up front.
	client, err := ghclient.New(ghclient.Config{Token: gateToken, BaseURL: w.gh.URL()})
	if err != nil {
		t.Fatal(err)
	}
	facts, err := prfacts.Fetch(context.Background(), client, "acme", "infra", pr, nil)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(facts.Reviews[0].SubmittedAt.Add(time.Second)))
	// By the apply of PR #1, erin's grant has run out: that apply revokes it.
	time.Sleep(time.Until(erinEnds.Add(time.Second)))

	erin := elevationHCL("erin", "erin", "2s", "")
	requested := elevationHCL("mona", "mona", "3s", "") + elevationHCL("carol", "carol", "1h", "") + elevationHCL("dave", "dave", "1h", "break_glass = true")
	plan1, state1 := w.apply(t, merge, "grant", oncallPolicy+erin+requested)
	env := map[string]string{"GITHUB_SHA": merge}
	// A --gate-login that contradicts the trusted settings is refused.
	if res := w.gate(t, env, "record", "--plan", plan1, "--state", state1, "--outcome", "success", "--gate-login", "mallory"); res.code != exitError ||
		!strings.Contains(res.stderr, "contradicts gate_login gatekeeper") {
		t.Fatalf("record as another login: exit %d\n%s", res.code, res.stderr)
	}
	if res := w.gate(t, env, "record", "--plan", plan1, "--state", state1, "--outcome", "success"); res.code != exitPass ||
		!strings.Contains(res.stderr, "record 1 on the audit-log issue #2, copied to pull request #1 (2 comment(s) posted)") {
		t.Fatalf("record after apply: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	granted, err := audit.ReadStateFile(state1)
	if err != nil {
		t.Fatal(err)
	}
	logged, copied := w.gh.Comments("acme", "infra", 2), w.gh.Comments("acme", "infra", pr)
	if len(logged) != 1 || len(copied) != 1 {
		t.Fatalf("%d records in the log, %d on the pull request, want one each", len(logged), len(copied))
	}
	for _, g := range granted {
		if g.Principal == "erin" {
			continue
		}
		want := fmt.Sprintf("| %s | %s | %s | github:team:acme/oncall | %s | %s |", report.Escape(g.Address), report.Escape(g.ID), g.Principal,
			report.Escape(g.GrantedAt), report.Escape(g.ExpiresAt))
		if !strings.Contains(logged[0].Body, want) {
			t.Errorf("record lacks %q:\n%s", want, logged[0].Body)
		}
	}

	// mona's 3s run out; dave's break-glass hour has had no review for 2s.
	time.Sleep(4 * time.Second)
	plan2, state2 := w.apply(t, merge, "expiry", oncallPolicy+erin+requested)
	check := w.gate(t, env, "check", "--plan", plan2, "--mode", "drift", "--format", "json")
	r := decode(t, check.stdout)
	if check.code != exitBlocked || len(r.Violations) != 1 || r.Violations[0].Rule != gate.RuleBreakGlassUnreviewed || r.Violations[0].Address != "jit_elevation.dave" ||
		len(r.Revocations) != 1 || r.Revocations[0].Address != "jit_elevation.mona" {
		t.Errorf("drift check: exit %d, %+v\n%s", check.code, r, check.stderr)
	}
	if res := w.gate(t, env, "record", "--mode", "drift", "--plan", plan2, "--state", state2, "--outcome", "success"); res.code != exitPass ||
		!strings.Contains(res.stderr, "record 2 on the audit-log issue #2 (1 comment(s) posted)") {
		t.Fatalf("scheduled record: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	after, err := audit.ReadStateFile(state2)
	if err != nil {
		t.Fatal(err)
	}
	var mona audit.Grant
	for _, g := range after {
		if g.Principal == "mona" {
			mona = g
		}
	}
	if mona.Status != "expired" || mona.RevokedAt == "" {
		t.Fatalf("mona after expiry = %+v", mona)
	}
	entry := w.gh.Comments("acme", "infra", 2)[1].Body
	for _, want := range []string{
		"| jit\\_elevation\\.mona | mona | github:team:acme/oncall | " + report.Escape(mona.GrantedAt) + " | " + report.Escape(mona.RevokedAt) + " | expired |",
		"#### Break-glass review overdue (1)",
		"| jit\\_elevation\\.dave | dave's break\\-glass elevation",
	} {
		if !strings.Contains(entry, want) {
			t.Errorf("audit-log entry lacks %q:\n%s", want, entry)
		}
	}

	// Every grant with its approvers and pull request; erin's has no record.
	res := w.gate(t, nil, "audit", "--state", state2, "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(res.stdout)).ReadAll()
	if res.code != exitPass || err != nil || len(rows) != 5 || !slices.Equal(rows[0], audit.CSVHeader) {
		t.Fatalf("audit csv: exit %d, %v\n%s%s", res.code, err, res.stdout, res.stderr)
	}
	for _, row := range rows[1:] {
		switch {
		case row[1] == "erin" && (row[14] != "missing" || row[11] != ""):
			t.Errorf("erin's row %q: want no record", row)
		case row[1] != "erin" && (row[11] != "1" || row[12] != "bob" || row[10] != merge || row[8] != "INC-4711" || row[14] != "recorded" || row[15] != "1"):
			t.Errorf("csv row %q: want pr 1, approvers bob, commit %s, record 1", row, merge)
		}
	}

	// Who held oncall: a window from mona's revocation on leaves her out,
	// one ending at her grant is empty, one around it has all three.
	window := func(since, until string) []string {
		t.Helper()
		res := w.gate(t, map[string]string{"GITHUB_TOKEN": ""}, "audit", "--state", state2, "--scope", "github:team:acme/oncall", "--since", since, "--until", until, "--format", "json")
		var doc struct {
			Grants []struct {
				Principal string `json:"principal"`
			}
		}
		if err := json.Unmarshal([]byte(res.stdout), &doc); res.code != exitPass || err != nil {
			t.Fatalf("audit json: exit %d, %v\n%s%s", res.code, err, res.stdout, res.stderr)
		}
		var who []string
		for _, g := range doc.Grants {
			if g.Principal != "erin" {
				who = append(who, g.Principal)
			}
		}
		slices.Sort(who)
		return who
	}
	var first, last time.Time // of the three grants, made by one apply
	for _, g := range after {
		if g.Principal == "erin" {
			continue
		}
		at, _ := time.Parse(time.RFC3339, g.GrantedAt)
		if first.IsZero() || at.Before(first) {
			first = at
		}
		if at.After(last) {
			last = at
		}
	}
	revokedAt, _ := time.Parse(time.RFC3339, mona.RevokedAt)
	stamp := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	for _, tc := range []struct {
		since, until time.Time
		want         []string
	}{
		{revokedAt, revokedAt.Add(time.Hour), []string{"carol", "dave"}},
		{first.Add(-time.Hour), first, nil},
		{first.Add(-time.Hour), last.Add(time.Second), []string{"carol", "dave", "mona"}},
		{revokedAt.Add(-time.Second), revokedAt, []string{"carol", "dave", "mona"}},
	} {
		if got := window(stamp(tc.since), stamp(tc.until)); !slices.Equal(got, tc.want) {
			t.Errorf("held in [%s, %s): %v, want %v", stamp(tc.since), stamp(tc.until), got, tc.want)
		}
	}

	// The trail checks, but for erin's grant: in the state, and revoked by
	// record 1, with no record of its own.
	res = w.gate(t, nil, "audit", "--verify", "--state", state2, "--format", "json")
	if got := findings(t, res); res.code != exitBlocked || !slices.Equal(got, []string{"#0 unrecorded_grant", "#2 unrecorded_grant"}) {
		t.Fatalf("verify: exit %d, %q\n%s", res.code, got, res.stderr)
	}

	// PR #3 removes the ended blocks of mona and erin. Before apply the
	// gate blocks: erin's grant would leave no trace.
	w.gh.AddPullRequest("acme", "infra", githubfake.PullRequest{Number: 3, Author: "alice"})
	w.merge(3, cleanup)
	remaining := oncallPolicy + elevationHCL("carol", "carol", "1h", "") + elevationHCL("dave", "dave", "1h", "break_glass = true")
	plan3 := w.plan(t, cleanup, "cleanup", remaining)
	cleanupEnv := map[string]string{"GITHUB_SHA": cleanup}
	check = w.gate(t, cleanupEnv, "check", "--plan", plan3, "--mode", "apply", "--format", "json")
	if r := decode(t, check.stdout); check.code != exitBlocked || len(r.Violations) != 1 || r.Violations[0].Rule != gate.RuleAuditUnrecorded ||
		r.Violations[0].Address != "jit_elevation.erin" {
		t.Fatalf("check before prune: exit %d, %+v\n%s", check.code, r.Violations, check.stderr)
	}
	res = w.gate(t, cleanupEnv, "prune", "--state", state2)
	if res.code != exitPass || !strings.Contains(res.stdout, "remove  jit_elevation.erin: archived\n") || !strings.Contains(res.stdout, "remove  jit_elevation.mona: already in the audit trail\n") ||
		!strings.Contains(res.stdout, "keep    jit_elevation.carol:") {
		t.Fatalf("prune: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if check := w.gate(t, cleanupEnv, "check", "--plan", plan3, "--mode", "apply"); check.code != exitPass {
		t.Fatalf("check after prune: exit %d\n%s%s", check.code, check.stdout, check.stderr)
	}
	w.tf(t, cleanup, "apply", "-input=false", "cleanup.tfplan")
	state3 := w.save(t, "cleanup.state.json", w.tf(t, cleanup, "show", "-json"))
	if res := w.gate(t, cleanupEnv, "record", "--plan", plan3, "--state", state3, "--outcome", "success"); res.code != exitPass {
		t.Fatalf("record of the clean-up: exit %d\n%s", res.code, res.stderr)
	}

	// The blocks are gone; the records alone still tell everything.
	res = w.gate(t, nil, "audit", "--format", "json")
	var doc struct {
		Source string `json:"source"`
		Grants []struct {
			Principal string   `json:"principal"`
			Status    string   `json:"status"`
			RevokedAt string   `json:"revoked_at"`
			Approvers []string `json:"approvers"`
			Record    string   `json:"record"`
			PR        int      `json:"pr"`
		}
	}
	if err := json.Unmarshal([]byte(res.stdout), &doc); res.code != exitPass || err != nil || doc.Source != audit.SourceRecords || len(doc.Grants) != 4 {
		t.Fatalf("audit from the records: exit %d, %v\n%s%s", res.code, err, res.stdout, res.stderr)
	}
	for _, g := range doc.Grants {
		switch g.Principal {
		case "erin":
			if g.Record != audit.RecordArchived || g.Status != "expired" || g.RevokedAt == "" {
				t.Errorf("erin from the records: %+v", g)
			}
		case "mona":
			if g.Record != audit.RecordIntact || g.Status != "expired" || g.RevokedAt != mona.RevokedAt || g.PR != 1 || !slices.Equal(g.Approvers, []string{"bob"}) {
				t.Errorf("mona from the records: %+v", g)
			}
		default:
			if g.Record != audit.RecordIntact || g.Status != "active" || g.PR != 1 {
				t.Errorf("%s from the records: %+v", g.Principal, g)
			}
		}
	}
	if res := w.gate(t, nil, "audit", "--verify", "--state", state3); res.code != exitPass || !strings.Contains(res.stdout, "the trail checks") ||
		!strings.Contains(res.stdout, "Checked: #2, #1, #3 · Records: 4 · Copies: 2") {
		t.Fatalf("verify after the clean-up: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}

	// Edited by hand, or copied by someone else, records fail.
	w.gh.EditCommentAsUser(logged[0].ID, "lead", strings.Replace(logged[0].Body, "| bob |", "| bob, lead |", 1))
	w.gh.AddComment("acme", "infra", pr, "mallory", logged[0].Body)
	res = w.gate(t, nil, "audit", "--verify", "--state", state3, "--format", "json")
	// The edit, its intact copy that now differs, mallory's copy; and what
	// follows from the edit: carol's and dave's grants in the state, and
	// mona's, revoked by records 2 and 4, have no trusted record any more.
	want := []string{"#0 unrecorded_grant", "#0 unrecorded_grant", "#1 copy_differs", "#1 foreign", "#2 edited", "#2 unrecorded_grant", "#2 unrecorded_grant"}
	if got := findings(t, res); res.code != exitBlocked || !slices.Equal(got, want) {
		t.Errorf("verify after tampering: exit %d, %q", res.code, got)
	}
	// The edited record no longer vouches for the approvers.
	res = w.gate(t, nil, "audit", "--state", state3, "--format", "csv", "--principal", "carol")
	if rows, _ := csv.NewReader(strings.NewReader(res.stdout)).ReadAll(); len(rows) != 2 || rows[1][12] != "" || rows[1][14] != "missing" {
		t.Errorf("audit after the edit: %q", rows)
	}
}

// findings lists audit --verify's JSON findings as "#number problem".
func findings(t *testing.T, res result) []string {
	t.Helper()
	var v audit.Verification
	if err := json.Unmarshal([]byte(res.stdout), &v); err != nil {
		t.Fatalf("verify output: %v\n%s%s", err, res.stdout, res.stderr)
	}
	out := []string{}
	for _, f := range v.Findings {
		out = append(out, fmt.Sprintf("#%d %s", f.Number, f.Problem))
	}
	return out
}
