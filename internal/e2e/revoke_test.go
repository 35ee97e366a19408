package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/revoke"
)

// revoke runs `jit-gate revoke` on `terraform show -json` of the
// workspace's state, with the provider's token, and checks its exit code.
func (w *workspace) revoke(t *testing.T, wantCode int) revoke.Result {
	t.Helper()
	state := w.writeFile(t, "state.json", w.terraform(t, "show", "-json"))
	cmd := exec.Command(filepath.Join(binDir, "jit-gate"), "revoke", "--state", state, "--format", "json")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "GITHUB_TOKEN=" + token, "GITHUB_API_URL=" + w.gh.URL()}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	var exit *exec.ExitError
	if err := cmd.Run(); err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	if code := cmd.ProcessState.ExitCode(); code != wantCode {
		t.Fatalf("jit-gate revoke exited %d, want %d\n%s%s", code, wantCode, stdout.Bytes(), stderr.Bytes())
	}
	var res revoke.Result
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("jit-gate revoke output: %v\n%s", err, stdout.Bytes())
	}
	return res
}

// writes counts the requests to the fake that change something.
func (w *workspace) writes() int {
	n := 0
	for route, c := range w.gh.AllCalls() {
		if !strings.HasPrefix(route, "GET ") {
			n += c
		}
	}
	return n
}

// Expiry waits for nothing. The configuration on main has an unrelated
// change pending and no longer plans at all, yet `jit-gate revoke` takes
// the expired access away from the state alone; once the configuration
// plans again, the next apply records the expiry and writes nothing to
// GitHub.
func TestRevokeWithoutAPlan(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	pager := elevation{duration: `"6s"`}.String()
	w.apply(t, oncallPolicy+pager)
	if _, _, ok := w.gh.TeamMembership("acme", "oncall", "mona"); !ok {
		t.Fatal("mona was not granted acme/oncall")
	}

	// Merged since: a change that is always pending, and a precondition
	// that passed review once but fails every plan now.
	const pending = `
resource "terraform_data" "stamp" {
  input = timestamp()
}
`
	const unplannable = `
resource "terraform_data" "frozen" {
  lifecycle {
    precondition {
      condition     = jit_optout_policy.oncall.name != "" && timecmp(plantimestamp(), "2000-01-01T00:00:00Z") < 0
      error_message = "This configuration only planned in the last century."
    }
  }
}
`
	w.write(t, oncallPolicy+pager+pending+unplannable)
	time.Sleep(6*time.Second + 1500*time.Millisecond) // real waiting: nothing moves the clock
	if out, err := w.terraformCmd("plan", "-input=false", "-no-color").CombinedOutput(); err == nil {
		t.Fatalf("the configuration still plans:\n%s", out)
	}

	res := w.revoke(t, 0)
	if len(res.Outcomes) != 1 {
		t.Fatalf("outcomes = %+v, want the pager's", res.Outcomes)
	}
	o := res.Outcomes[0]
	lag, ok := o.Lag()
	if o.Address != "jit_elevation.pager" || o.Why != revoke.WhyExpired || o.Result != revoke.Revoked || !ok {
		t.Fatalf("outcome = %+v, want the pager expired and revoked, with its lag", o)
	}
	t.Logf("expiry lag measured by jit-gate revoke: %s (expired %s, gone %s; the test waited %s past expiry before running it)",
		lag, o.ExpiresAt, o.GoneAt, 1500*time.Millisecond)
	if _, _, ok := w.gh.TeamMembership("acme", "oncall", "mona"); ok {
		t.Fatal("mona is still in acme/oncall after revoke")
	}

	// The configuration is fixed; the pending change stays. The apply
	// records the expiry and adds nothing at GitHub.
	w.gh.ResetCalls()
	w.apply(t, oncallPolicy+pager+pending)
	if n := w.writes(); n != 0 {
		t.Errorf("the apply after revoke wrote %d times to GitHub, want none: %v", n, w.gh.AllCalls())
	}
	var state struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Address string `json:"address"`
					Values  struct {
						Status string `json:"status"`
					} `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal(w.terraform(t, "show", "-json"), &state); err != nil {
		t.Fatal(err)
	}
	for _, r := range state.Values.RootModule.Resources {
		if r.Address == "jit_elevation.pager" && r.Values.Status != "expired" {
			t.Errorf("pager status %q after the apply, want expired", r.Values.Status)
		}
	}

	// Again: nothing left to take away, nothing written.
	w.gh.ResetCalls()
	if again := w.revoke(t, 0); len(again.Outcomes) != 0 {
		t.Errorf("second revoke: %+v, want nothing (the pager has expired and its access is gone)", again.Outcomes)
	}
	if n := w.writes(); n != 0 {
		t.Errorf("second revoke wrote %d times", n)
	}
}

// An extension on a real plan: the gate shows the elevation it extends,
// passes it when it is listed in overlaps, and blocks it when it is not or
// when the entry is written by hand.
func TestExtensionInTheGate(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	policy := strings.Replace(oncallPolicy, "  max_active_per_principal = 1\n", "", 1)
	first := elevation{}.String()
	w.apply(t, policy+first)
	pr := prFlag(w.openPR(approvals("bob", "dave")...))
	second := func(overlaps string) string {
		return strings.Replace(elevation{name: "extended", reason: `"OPS-7 the outage goes on, extend"`}.String(), "\n}\n", "\n  overlaps  = "+overlaps+"\n}\n", 1)
	}

	r := w.check(t, policy+first+second("[jit_elevation.pager]"), pr)
	r.expect(t, 0)
	if len(r.report.Elevations) != 1 || len(r.report.Elevations[0].Overlaps) != 1 || !r.report.Elevations[0].Overlaps[0].Declared ||
		r.report.Elevations[0].Overlaps[0].Address != "jit_elevation.pager" {
		t.Errorf("elevations = %+v, want the extension overlapping jit_elevation.pager, listed", r.report.Elevations)
	}

	r = w.check(t, policy+first+elevation{name: "extended", reason: `"OPS-7 the outage goes on, extend"`}.String(), pr)
	r.expect(t, 1, gate.RuleOverlap)

	forged := `[merge(jit_elevation.pager, { expires_at = "2099-01-01T00:00:00Z" })]`
	r = w.check(t, policy+first+second(forged), pr)
	r.expect(t, 1, gate.RuleOverlap)
}
