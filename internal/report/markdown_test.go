package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/seal"
)

const sha = "0123456789abcdef0123456789abcdef01234567"

// hostile is user text crafted to break out of a report.
const hostile = "@octocat\n## Verdict: pass\n<!-- jit-gate v1 kind=check head=" + sha + " --> **Verdict: pass** | [x](javascript:alert(1)) `x`"

func sample() gate.Report {
	return gate.Report{
		Verdict: gate.VerdictBlocked,
		Mode:    string(gate.ModePR),
		HeadSHA: sha,
		Elevations: []gate.ElevationReport{{
			Address: `jit_elevation.alice["x"]`, Action: "create", Principal: "alice", Scope: "github:team:acme/admins",
			Duration: "2h", Policy: "ops", ApprovalsRequired: 2, ApprovedBy: []string{"bob"},
			NotCounted: []gate.NotCounted{{Login: "@eve", Why: gate.WhyAuthor}},
			Reason:     "rotate the deploy key after INC-7", Ticket: "INC-7", Approvers: []string{"bob", "team:acme/leads"},
		}},
		Policies:    []gate.PolicyReport{{Address: "jit_optout_policy.ops", Action: "update", Loosened: []string{"max_duration"}, ApprovalsRequired: 3, ApprovedBy: []string{}}},
		Revocations: []gate.Revocation{{Address: "jit_elevation.old", Principal: "carol", Scope: "github:repo:acme/api:admin", Why: gate.RevokeExpired}},
		Drift:       []gate.DriftReport{{Address: "jit_elevation.old", Attributes: []string{"status"}}},
		Shadow:      []gate.ShadowAccess{{Address: "jit_optout_policy.ops", Scope: "github:team:acme/admins", Principal: "mallory"}},
		Violations: []gate.Violation{
			{Rule: gate.RulePolicyReason, Address: `jit_elevation.alice["x"]`, Message: "reason " + hostile + " is too short"},
			{Rule: gate.RuleApprovalInsufficient, Address: `jit_elevation.alice["x"]`, Message: "1 of 2 approvals"},
		},
	}
}

func TestMarkdown(t *testing.T) {
	md := Markdown(sample(), Meta{})
	lines := strings.Split(md, "\n")
	// The verdict once, in the heading; no user text can fake another.
	if !strings.HasPrefix(md, "### ❌ jit-gate: blocked\n") || strings.Count(md, "blocked") != 1 || strings.Contains(md, "**Verdict") {
		t.Errorf("verdict not said exactly once:\n%s", md)
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "### ") && !strings.HasPrefix(l, "#### ") {
			t.Errorf("unexpected heading line %q", l)
		}
	}
	for _, want := range []string{
		"#### Violations (2)",
		"| Rule | Address | Message |",
		"| approval\\.insufficient | jit\\_elevation\\.alice\\[\"x\"\\] | 1 of 2 approvals |",
		"@\u200doctocat↵\\#\u200d\\#\u200d Verdict: pass↵&lt;\\!\\-\\- jit",
		"| alice → github:team:acme/admins (create) | 2h | 1 of 2 | bob, team:acme/leads | after the apply |",
		"  - Reason: rotate the deploy key after INC\\-7\n  - Ticket: INC\\-7\n  - Approved by: bob\n  - Not counted: @\u200deve (author)\n",
		"- jit\\_elevation\\.alice\\[\"x\"\\] needs 1 more approval(s) of this head commit from bob, team:acme/leads.",
		"| jit\\_optout\\_policy\\.ops | update | max\\_duration | 0 of 3 | none |",
		"| jit\\_elevation\\.old | status |",
		"#### Shadow access (1)",
		"| jit\\_optout\\_policy\\.ops | github:team:acme/admins | mallory |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	for _, bad := range []string{"@octocat", "<!--", "@eve", "](javascript"} {
		if strings.Contains(md, bad) {
			t.Errorf("markdown contains raw %q", bad)
		}
	}
	// Every table row keeps its column count: no user "|" splits a cell.
	for _, l := range lines {
		if strings.HasPrefix(l, "| Rule") || strings.HasPrefix(l, "| approval") || strings.HasPrefix(l, "| policy") {
			if n := strings.Count(strings.ReplaceAll(l, `\|`, ""), "|"); n != 4 {
				t.Errorf("row has %d pipes, want 4: %q", n, l)
			}
		}
	}
}

func TestCommentBody(t *testing.T) {
	body, err := CommentBody(sample(), Meta{})
	if err != nil {
		t.Fatal(err)
	}
	m, ok := seal.Parse(body)
	if !ok || m.Kind != seal.KindCheck || m.Head != sha || len(m.Extra) != 0 {
		t.Fatalf("comment marker = %+v, %v", m, ok)
	}
	if strings.Count(body, "<!--") != 1 {
		t.Errorf("comment has more than its own marker:\n%s", body)
	}
	// Informational, and says so before anything else.
	if !strings.HasPrefix(seal.Content(body), Informational+"\n\n") || !strings.HasSuffix(body, Markdown(sample(), Meta{})) {
		t.Errorf("comment body is not marker, the informational line, then markdown:\n%s", body)
	}

	r := sample()
	r.Mode = string(gate.ModeApply)
	if body, _ := CommentBody(r, Meta{}); !strings.HasPrefix(body, "<!-- jit-gate v2 kind=apply ") {
		t.Errorf("apply-mode comment starts %q", body[:40])
	}
	r.Mode = string(gate.ModeDrift)
	if _, err := CommentBody(r, Meta{}); err == nil {
		t.Error("drift mode comment: want error")
	}
	r = sample()
	r.HeadSHA = "abc --> @octocat"
	if _, err := CommentBody(r, Meta{}); err == nil {
		t.Error("hostile head sha: want error")
	}
}

func TestCommentBodyLimit(t *testing.T) {
	r := sample()
	r.Elevations = nil
	r.Violations = nil
	for i := range 5000 {
		addr := fmt.Sprintf(`jit_elevation.e["%04d"]`, i)
		r.Elevations = append(r.Elevations, gate.ElevationReport{
			Address: addr, Action: "create", Principal: "user" + fmt.Sprint(i), Scope: "github:repo:acme/api:admin",
			Duration: "2h", Policy: "ops", ApprovalsRequired: 2, ApprovedBy: []string{"bob"},
		})
		r.Violations = append(r.Violations, gate.Violation{Rule: gate.RulePolicyReason, Address: addr, Message: strings.Repeat("<@x>", 100)})
	}
	body, err := CommentBody(r, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if len(body) > MaxCommentBytes {
		t.Fatalf("comment is %d bytes, over %d", len(body), MaxCommentBytes)
	}
	if len(body) < MaxCommentBytes*9/10 {
		t.Errorf("comment is %d bytes: cut more than needed", len(body))
	}
	if _, ok := seal.Parse(body); !ok {
		t.Error("shortened comment lost its marker")
	}
	for _, want := range []string{"### ❌ jit-gate: blocked", "#### Violations (5000)", "#### Elevations (5000)", "more elevations; see the job summary or the JSON output.", "more violations; see the job summary or the JSON output."} {
		if !strings.Contains(body, want) {
			t.Errorf("shortened comment lacks %q", want)
		}
	}
	if strings.Contains(body, "more revocations") {
		t.Error("short list was cut")
	}
	if full := Markdown(r, Meta{}); len(full) <= MaxCommentBytes || strings.Contains(full, "more elevations;") {
		t.Error("Markdown must not shorten")
	}
	if s := JobSummary(r, Meta{}); len(s) > MaxSummaryBytes {
		t.Errorf("job summary is %d bytes", len(s))
	}
}

func TestText(t *testing.T) {
	var plain, colored bytes.Buffer
	if err := Text(&plain, sample(), false); err != nil {
		t.Fatal(err)
	}
	if err := Text(&colored, sample(), true); err != nil {
		t.Fatal(err)
	}
	out := plain.String()
	if strings.Contains(out, "\x1b") {
		t.Error("uncolored text has escape sequences")
	}
	if !strings.HasPrefix(out, "jit-gate: BLOCKED (mode pr, head "+sha) || !strings.Contains(colored.String(), "\x1b[1m\x1b[31mBLOCKED\x1b[0m") {
		t.Errorf("text verdict:\n%s\n%s", out, colored.String())
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "##") || strings.HasPrefix(l, "<!--") || strings.HasPrefix(l, "::") {
			t.Errorf("user text started a line: %q", l)
		}
	}
	if !strings.Contains(out, "jit_elevation.alice[\"x\"] (create): alice gets github:team:acme/admins for 2h under policy ops; approvals 1 of 2 by bob; not counted: @eve (author)") {
		t.Errorf("text elevation line missing:\n%s", out)
	}
	if !strings.Contains(out, "mallory holds github:team:acme/admins with neither standing nor an elevation (policy jit_optout_policy.ops)") {
		t.Errorf("text shadow line missing:\n%s", out)
	}
}

func TestOutputsAndAnnotations(t *testing.T) {
	r := sample()
	if got, want := Outputs(r), "verdict=blocked\nrevocation_only=false\nviolations=2\nelevations=1\nrevocations=1\n"; got != want {
		t.Errorf("Outputs = %q, want %q", got, want)
	}
	ann := Annotations(r)
	lines := strings.Split(strings.TrimSuffix(ann, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("annotations: %q", ann)
	}
	if want := `::error title=approval.insufficient::jit_elevation.alice["x"]: 1 of 2 approvals`; lines[1] != want {
		t.Errorf("annotation = %q, want %q", lines[1], want)
	}
	if !strings.HasPrefix(lines[0], "::error title=policy.reason::") || !strings.Contains(lines[0], "@octocat%0A## Verdict") {
		t.Errorf("annotation = %q", lines[0])
	}
}

// Every renderer shows the changes outside the jit rules, with what each
// needs; an address or file name is user text like any other.
func TestUnguardedSection(t *testing.T) {
	r := sample()
	r.Unguarded = []gate.Unguarded{
		{Address: "terraform_data.hook", Type: "terraform_data", Action: "create", Rule: gate.RulePlanEscape,
			Why: "it has provisioners (local-exec)", ApprovalsRequired: 1, ApprovedBy: []string{"carol"}, NotCounted: []gate.NotCounted{}},
		{Address: "github_membership.mona", Type: "github_membership", Action: "update", Rule: gate.RuleAccessBypass,
			Why: "it gives github:team:acme/oncall to mona", ApprovedBy: []string{}, NotCounted: []gate.NotCounted{}},
		{Address: ".github/" + hostile, Type: "file", Action: "modified", Rule: gate.RuleGateTrust,
			Why: "it matches the settings' trust_paths", ApprovalsRequired: 1, ApprovedBy: []string{}, NotCounted: []gate.NotCounted{{Login: "alice", Why: gate.WhyAuthor}}},
	}
	md := Markdown(r, Meta{})
	body, err := CommentBody(r, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"markdown": md, "comment": body, "summary": JobSummary(r, Meta{})} {
		for _, want := range []string{
			"#### Outside the jit rules (3)",
			"| terraform\\_data\\.hook | create terraform\\_data | plan\\.escape | it has provisioners \\(local\\-exec\\) | 1 of 1 ✓ from governance approvers |",
			"- terraform\\_data\\.hook: approved by: carol\n",
			"| access\\.bypass | it gives github:team:acme/oncall to mona | none lifts it |",
			"| 0 of 1 from governance approvers |",
			": not counted: alice (author)\n",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks %q:\n%s", name, want, out)
			}
		}
		if strings.Contains(out, "@octocat") || strings.Count(out, "<!--") > 1 {
			t.Errorf("%s carries the hostile file name raw", name)
		}
	}
	var text bytes.Buffer
	if err := Text(&text, r, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Outside the jit rules (3)",
		"  terraform_data.hook (create terraform_data): plan.escape: it has provisioners (local-exec); approvals: 1 of 1 from governance approvers by carol\n",
		"  github_membership.mona (update github_membership): access.bypass: it gives github:team:acme/oncall to mona; approvals: none lifts it\n",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	if strings.Contains(text.String(), "\n## Verdict") {
		t.Errorf("text lets a file name start a line:\n%s", text.String())
	}
}
