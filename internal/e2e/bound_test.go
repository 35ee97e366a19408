package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
)

// Apply mode judges each elevation on the pull request that introduced it
// (approval.unbound), from the sealed records of the commits it judged.

// pagerA is mona's request, pagerB erin's, both under oncallPolicy.
var (
	pagerA = elevation{name: "pager_a"}.String()
	pagerB = elevation{name: "pager_b", principal: `"erin"`, reason: `"OPS-8 rotate the paging keys"`}.String()
)

// jitGate runs the jit-gate binary with a token, GITHUB_SHA commit and env,
// and returns its exit code, stdout and stderr.
func (w *workspace) jitGate(t *testing.T, commit string, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "jit-gate"), args...)
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"), "GITHUB_TOKEN=" + token, "GITHUB_API_URL=" + w.gh.URL(),
		"GITHUB_REPOSITORY=acme/infra", "GITHUB_SHA=" + commit,
	}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	var exit *exec.ExitError
	if err := cmd.Run(); err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// record runs `jit-gate record --mode apply` for commit.
func (w *workspace) record(t *testing.T, commit, planJSON, outcome string, extra ...string) {
	t.Helper()
	args := append([]string{"record", "--mode", "apply", "--plan", planJSON, "--outcome", outcome, "--commit", commit, "--gate-login", "jit-gate[bot]"}, extra...)
	if code, out, errOut := w.jitGate(t, commit, []string{"JIT_GATE_SEAL_KEY=" + sealKey}, args...); code != 0 {
		t.Fatalf("jit-gate record exited %d\n%s%s", code, out, errOut)
	}
}

// applyRun is the apply workflow's job for commit, whose configuration is
// resources: plan, judge in apply mode, apply when the gate passes, and
// record either way (skipped when the gate blocked).
func (w *workspace) applyRun(t *testing.T, commit, resources string) result {
	t.Helper()
	planJSON := w.plan(t, resources)
	r := w.gate(t, planJSON, []string{"GITHUB_SHA=" + commit}, "--mode=apply")
	if r.code != 0 {
		w.record(t, commit, planJSON, "skipped")
		return r
	}
	// As the workflow's apply: GITHUB_SHA becomes granted_by_commit.
	apply := w.terraformCmd("apply", "-input=false", "-no-color", "plan.bin")
	apply.Env = append(apply.Env, "GITHUB_SHA="+commit)
	if out, err := apply.CombinedOutput(); err != nil {
		t.Fatalf("terraform apply: %v\n%s", err, out)
	}
	state := w.writeFile(t, "state.json", w.terraform(t, "show", "-json"))
	w.record(t, commit, planJSON, "success", "--state", state)
	return r
}

// catchUp is the apply workflow's catch-up before judging commit: each
// commit `jit-gate unjudged` lists (in the plan job, without the seal key),
// oldest first, is planned as it was (configs) and recorded without
// applying. It returns the commits judged.
func (w *workspace) catchUp(t *testing.T, commit string, configs map[string]string) []string {
	t.Helper()
	code, out, errOut := w.jitGate(t, commit, nil, "unjudged", "--gate-login", "jit-gate[bot]")
	if code != 0 {
		t.Fatalf("jit-gate unjudged exited %d\n%s%s", code, out, errOut)
	}
	commits := strings.Fields(out)
	for _, c := range commits {
		resources, ok := configs[c]
		if !ok {
			t.Fatalf("unjudged lists %s, which the test has no configuration for", c)
		}
		w.record(t, c, w.plan(t, resources), "skipped")
	}
	return commits
}

// judgeBase records the base commit as judged, as the first apply run of
// the repository does: the induction starts there.
func (w *workspace) judgeBase(t *testing.T) {
	t.Helper()
	w.record(t, w.main, w.plan(t, oncallPolicy), "skipped")
}

// elevationOf returns the report row of address.
func elevationOf(t *testing.T, r result, address string) gate.ElevationReport {
	t.Helper()
	for _, e := range r.report.Elevations {
		if e.Address == address {
			return e
		}
	}
	t.Fatalf("no elevation %s in the report:\n%s", address, r.output)
	return gate.ElevationReport{}
}

// rulesOn lists the rules violated at address.
func rulesOn(r result, address string) []string {
	var out []string
	for _, v := range r.report.Violations {
		if v.Address == address && !slices.Contains(out, v.Rule) {
			out = append(out, v.Rule)
		}
	}
	slices.Sort(out)
	return out
}

// copiesOn counts the gate's record comments on pull request n that name
// address.
func (w *workspace) copiesOn(n int, address string) int {
	c := 0
	for _, cm := range w.gh.Comments("acme", "infra", n) {
		if cm.Author == "jit-gate[bot]" && strings.Contains(cm.Body, "jit-gate-record") && strings.Contains(cm.Body, `"address":"`+address+`"`) {
			c++
		}
	}
	return c
}

// PR A is merged unapproved (an admin bypassing protection) and its apply
// is blocked; PR B, approved, is merged next. The plan of B's merge still
// holds A's elevation: it stays blocked on A's (missing) approvals, while
// B's own is judged on B's. Once A's request leaves the configuration, the
// next merge applies B's on B's approvals.
func TestBoundApprovalsUnapprovedThenApproved(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.apply(t, oncallPolicy)
	w.judgeBase(t)

	a := w.openPR()
	mA := w.merge(a)
	r := w.applyRun(t, mA, oncallPolicy+pagerA)
	r.expect(t, 1, gate.RuleApprovalInsufficient)

	b := w.openPR(approvals("bob", "dave")...)
	mB := w.merge(b)
	r = w.applyRun(t, mB, oncallPolicy+pagerA+pagerB)
	if got := rulesOn(r, "jit_elevation.pager_a"); !slices.Equal(got, []string{gate.RuleApprovalInsufficient}) {
		t.Errorf("A's elevation after B's merge: rules %v, want approval.insufficient\n%s", got, r.output)
	}
	if ea, eb := elevationOf(t, r, "jit_elevation.pager_a"), elevationOf(t, r, "jit_elevation.pager_b"); ea.PR != a || len(ea.ApprovedBy) != 0 || eb.PR != b || !slices.Equal(eb.ApprovedBy, []string{"bob", "dave"}) {
		t.Errorf("A's judged on #%d by %v, B's on #%d by %v; want #%d by nobody, #%d by bob and dave", ea.PR, ea.ApprovedBy, eb.PR, eb.ApprovedBy, a, b)
	}
	if got := rulesOn(r, "jit_elevation.pager_b"); len(got) != 0 {
		t.Errorf("B's elevation: rules %v, want none\n%s", got, r.output)
	}
	// Each request's record is on the pull request that introduced it.
	if w.copiesOn(a, "jit_elevation.pager_a") != 2 || w.copiesOn(b, "jit_elevation.pager_b") != 1 || w.copiesOn(b, "jit_elevation.pager_a") != 1 {
		t.Errorf("records: A's on #%d %d time(s), B's on #%d %d; want 2 and 1", a, w.copiesOn(a, "jit_elevation.pager_a"), b, w.copiesOn(b, "jit_elevation.pager_b"))
	}

	// A third pull request, approved, takes A's request out; B's is granted
	// on B's approvals, not on the third's.
	c := w.openPR(approvals("carol")...)
	mC := w.merge(c)
	r = w.applyRun(t, mC, oncallPolicy+pagerB)
	r.expect(t, 0)
	if eb := elevationOf(t, r, "jit_elevation.pager_b"); eb.PR != b || !slices.Equal(eb.ApprovedBy, []string{"bob", "dave"}) {
		t.Errorf("B's judged on #%d by %v, want #%d by bob and dave", eb.PR, eb.ApprovedBy, b)
	}
	if w.copiesOn(b, "jit_elevation.pager_b") != 2 {
		t.Errorf("the grant's record is not on B's pull request")
	}
	if !strings.Contains(string(w.terraform(t, "state", "list")), "jit_elevation.pager_b") {
		t.Error("B's elevation was not granted")
	}
}

// GitHub cancelled A's pending apply run when B's queued: B's run catches
// up on A's merge first, so each elevation is judged by its own pull
// request. Without the catch-up neither could be told apart.
func TestBoundApprovalsCancelledRun(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.apply(t, oncallPolicy)
	w.judgeBase(t)

	a := w.openPR(approvals("bob", "dave")...)
	mA := w.merge(a) // its run was cancelled
	b := w.openPR()  // unapproved
	mB := w.merge(b)

	planJSON := w.plan(t, oncallPolicy+pagerA+pagerB)
	r := w.gate(t, planJSON, []string{"GITHUB_SHA=" + mB}, "--mode=apply")
	r.expect(t, 1, gate.RuleApprovalUnbound)
	if !strings.Contains(r.report.Violations[0].Message, "pull requests #") || !strings.Contains(r.report.Violations[0].Message, "jit-gate unjudged") {
		t.Errorf("the message does not say what happened and what to do: %s", r.report.Violations[0].Message)
	}

	if got := w.catchUp(t, mB, map[string]string{mA: oncallPolicy + pagerA}); !slices.Equal(got, []string{mA}) {
		t.Fatalf("caught up on %v, want A's merge", got)
	}
	r = w.gate(t, w.plan(t, oncallPolicy+pagerA+pagerB), []string{"GITHUB_SHA=" + mB}, "--mode=apply")
	r.expect(t, 1, gate.RuleApprovalInsufficient)
	if ea, eb := elevationOf(t, r, "jit_elevation.pager_a"), elevationOf(t, r, "jit_elevation.pager_b"); ea.PR != a || eb.PR != b || len(rulesOn(r, ea.Address)) != 0 {
		t.Errorf("A's judged on #%d (rules %v), B's on #%d; want #%d, passing, and #%d", ea.PR, rulesOn(r, ea.Address), eb.PR, a, b)
	}
}

// A merge queue merges three pull requests in one go, and one apply run
// follows for the last: the catch-up judges the first two on their own.
// The API calls of the catch-up and of check --mode apply are counted.
func TestBoundApprovalsMergeQueueBatch(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.apply(t, oncallPolicy)
	w.judgeBase(t)

	a := w.openPR(approvals("bob", "dave")...)  // mona's elevation
	typo := w.openPR()                          // unapproved, no elevation
	c := w.openPR(approvals("bob", "carol")...) // erin's
	mA, mT := w.merge(a), w.merge(typo)
	mC := w.merge(c)

	w.gh.ResetCalls()
	got := w.catchUp(t, mC, map[string]string{mA: oncallPolicy + pagerA, mT: oncallPolicy + pagerA})
	if !slices.Equal(got, []string{mA, mT}) {
		t.Fatalf("caught up on %v, want %v", got, []string{mA, mT})
	}
	t.Logf("catch-up (unjudged and 2 records): %d calls %v", w.gh.TotalCalls(), w.gh.AllCalls())

	planJSON := w.plan(t, oncallPolicy+pagerA+pagerB)
	w.gh.ResetCalls()
	r := w.gate(t, planJSON, []string{"GITHUB_SHA=" + mC}, "--mode=apply")
	r.expect(t, 0)
	if ea, eb := elevationOf(t, r, "jit_elevation.pager_a"), elevationOf(t, r, "jit_elevation.pager_b"); ea.PR != a || eb.PR != c {
		t.Errorf("A's judged on #%d, C's on #%d; want #%d and #%d", ea.PR, eb.PR, a, c)
	}
	// 2 elevations, one of them inherited from the catch-up's record of A's
	// merge: A's pull request is read besides C's.
	calls := w.gh.TotalCalls()
	t.Logf("check --mode apply after a catch-up of 2 merges, 2 elevations over 2 pull requests: %d calls %v", calls, w.gh.AllCalls())
	if reads := w.gh.Calls("GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews"); reads != 2 {
		t.Errorf("reviews read %d times, want once for each pull request", reads)
	}
	if walked := w.gh.Calls("GET /repos/{owner}/{repo}/commits/{ref}"); walked != 1 {
		t.Errorf("commits read %d times, want 1 (the merge commit's parent, judged)", walked)
	}
}

// A commit pushed to main without a pull request introduces an elevation;
// an approved pull request is merged after it. Neither the push nor the
// pull request approved the elevation: it is unbound, before and after the
// catch-up judges the push, while the pull request's own passes.
func TestBoundApprovalsDirectPush(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.apply(t, oncallPolicy)
	w.judgeBase(t)

	push := w.gh.PushCommit("acme", "infra", githubfake.RepoCommit{Parents: []string{w.main}, Branch: "main", Author: "carol", Message: "quick fix"})
	w.main = push
	b := w.openPR(approvals("bob", "dave")...)
	mB := w.merge(b)

	r := w.gate(t, w.plan(t, oncallPolicy+pagerA+pagerB), []string{"GITHUB_SHA=" + mB}, "--mode=apply")
	r.expect(t, 1, gate.RuleApprovalUnbound)
	if msg := r.report.Violations[0].Message; !strings.Contains(msg, push+" were pushed without a pull request") {
		t.Errorf("message: %s", msg)
	}

	w.catchUp(t, mB, map[string]string{push: oncallPolicy + pagerA})
	r = w.gate(t, w.plan(t, oncallPolicy+pagerA+pagerB), []string{"GITHUB_SHA=" + mB}, "--mode=apply")
	if got := rulesOn(r, "jit_elevation.pager_a"); !slices.Equal(got, []string{gate.RuleApprovalUnbound}) || r.code != 1 {
		t.Errorf("the pushed elevation: rules %v, want approval.unbound\n%s", got, r.output)
	}
	if got := rulesOn(r, "jit_elevation.pager_b"); len(got) != 0 || elevationOf(t, r, "jit_elevation.pager_b").PR != b {
		t.Errorf("the pull request's elevation: rules %v\n%s", got, r.output)
	}
	if msg := r.report.Violations[0].Message; !strings.Contains(msg, "request it again in a new pull request") {
		t.Errorf("message does not say what to do: %s", msg)
	}
}

// GitHub takes a moment to list a merge commit's pull request: apply mode
// asks again, briefly, instead of failing. The API calls of check --mode
// apply for 1 elevation and 1 merge are counted.
func TestBoundApprovalsAssociationRetry(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.apply(t, oncallPolicy)
	w.judgeBase(t)
	planJSON := w.plan(t, oncallPolicy+pagerA)

	a := w.openPR(approvals("bob", "dave")...)
	w.gh.ResetCalls()
	w.gh.SetAssociationDelay(1500 * time.Millisecond)
	mA := w.merge(a)
	r := w.gate(t, planJSON, []string{"GITHUB_SHA=" + mA}, "--mode=apply")
	r.expect(t, 0)
	if n := w.gh.Calls("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls"); n < 2 {
		t.Errorf("the merge commit's pull requests were listed %d time(s), want again after a moment", n)
	}

	// Associated at once: the calls of one elevation, one merge.
	w.gh.SetAssociationDelay(0)
	w.gh.ResetCalls()
	r = w.gate(t, planJSON, []string{"GITHUB_SHA=" + mA}, "--mode=apply")
	r.expect(t, 0)
	t.Logf("check --mode apply, 1 elevation, 1 merge: %d calls %v", w.gh.TotalCalls(), w.gh.AllCalls())
	if n := w.gh.Calls("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls"); n != 1 {
		t.Errorf("the merge commit's pull requests were listed %d times, want once", n)
	}
}

// bgPolicy needs two approvals, and none up front for a break-glass
// request, whose post-hoc review is due within 2 seconds.
const bgPolicy = `
resource "jit_optout_policy" "bg" {
  name               = "bg"
  scopes             = ["github:team:acme/oncall"]
  max_duration       = "2h"
  required_approvals = 2
  approvers          = ["bob", "carol"]

  break_glass {
    enabled            = true
    max_duration       = "1h"
    required_approvals = 0
    review_within      = "2s"
  }
}
`

// A break-glass grant is reviewed after the fact by the policy's
// required_approvals: one approval of two is not enough, and once
// review_within has passed the drift workflow revokes the grant through the
// revoke engine, and the audit log says why.
func TestBreakGlassPostHocReview(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.apply(t, bgPolicy)
	w.judgeBase(t)
	config := bgPolicy + elevation{name: "bg", policyID: "jit_optout_policy.bg.id", duration: `"1h"`}.String()
	config = strings.Replace(config, "duration  = \"1h\"", "duration  = \"1h\"\n  break_glass = true", 1)

	n := w.openPR()
	m := w.merge(n)
	w.applyRun(t, m, config).expect(t, 0)
	if role, _, _ := w.gh.TeamMembership("acme", "oncall", "mona"); role == "" {
		t.Fatal("the break-glass grant was not made")
	}
	w.gh.AddReview("acme", "infra", n, "bob", gate.StateApproved, "") // after the grant: post-hoc
	time.Sleep(3 * time.Second)                                       // review_within has passed

	drift := w.gate(t, w.plan(t, config), nil, "--mode=drift")
	drift.expect(t, 1, gate.RuleBreakGlassUnreviewed)
	if msg := drift.report.Violations[0].Message; !strings.Contains(msg, "has 1 of 2 post-hoc approvals (required_approvals)") {
		t.Errorf("one approval of two: %s", msg)
	}
	data, err := json.Marshal(drift.report)
	if err != nil {
		t.Fatal(err)
	}
	report := w.writeFile(t, "drift.json", data)

	state := w.writeFile(t, "state-now.json", w.terraform(t, "show", "-json"))
	code, out, errOut := w.jitGate(t, w.main, nil, "revoke", "--state", state, "--unreviewed", report, "--format", "json")
	if code != 0 || !strings.Contains(out, `"why": "break_glass_unreviewed"`) || !strings.Contains(out, `"result": "revoked"`) {
		t.Fatalf("jit-gate revoke --unreviewed: exit %d\n%s%s", code, out, errOut)
	}
	if role, _, _ := w.gh.TeamMembership("acme", "oncall", "mona"); role != "" {
		t.Errorf("mona is still in acme/oncall as %q", role)
	}
	revoked := w.writeFile(t, "revoked.json", []byte(out))
	if code, out, errOut := w.jitGate(t, w.main, []string{"JIT_GATE_SEAL_KEY=" + sealKey}, "record", "--revoked", revoked, "--gate-login", "jit-gate[bot]"); code != 0 ||
		!strings.Contains(out, "| break\\_glass\\_unreviewed |") {
		t.Errorf("record --revoked: exit %d\n%s%s", code, out, errOut)
	}

	// With the second approval the review is done.
	w.gh.AddReview("acme", "infra", n, "carol", gate.StateApproved, "")
	if r := w.gate(t, w.plan(t, config), nil, "--mode=drift"); slices.Contains(rulesOn(r, "jit_elevation.bg"), gate.RuleBreakGlassUnreviewed) {
		t.Errorf("two approvals of two:\n%s", r.output)
	}
}
