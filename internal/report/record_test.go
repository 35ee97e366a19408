package report

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/sweep"
)

var recorded = time.Date(2026, 3, 1, 10, 5, 0, 0, time.UTC)

func sampleRecord() Record {
	return Record{
		Outcome: OutcomeSuccess, Commit: sha, PR: 12, RunURL: "https://github.com/acme/infra/actions/runs/42", RecordedAt: recorded,
		Grants: []RecordGrant{
			{Address: `jit_elevation.alice["x"]`, ID: "elev-1", Principal: "alice", Scope: "github:team:acme/admins",
				From: "2026-03-01T10:00:00Z", To: "2026-03-01T12:00:00Z", Reason: hostile, Ticket: "INC-1", ApprovedBy: []string{"bob", "Dave-2"}},
			{Address: "jit_elevation.bg", Principal: "carol", Scope: "github:repo:acme/api:admin",
				From: AtApply, To: AtApply + " + 1h", Reason: "pager storm, taking the secondary", BreakGlass: true, ApprovedBy: []string{}},
		},
		Revocations: []RecordRevocation{{Address: "jit_elevation.old", Principal: "none", Scope: "github:team:acme/admins", Why: gate.RevokeExpired,
			From: "2026-02-28T10:00:00Z", At: "2026-03-01T10:00:03Z"}},
	}
}

func TestRecordBodies(t *testing.T) {
	bodies, err := RecordBodies(sampleRecord())
	if err != nil {
		t.Fatal(err)
	}
	if len(bodies) != 1 {
		t.Fatalf("%d bodies, want 1", len(bodies))
	}
	body := bodies[0]
	m, integrity, ok := CheckSeal(body)
	if !ok || integrity != Intact || m.Kind != KindRecord || m.Head != sha || m.Extra["outcome"] != OutcomeSuccess || m.Extra["part"] != "" {
		t.Fatalf("marker %+v, %s, %v", m, integrity, ok)
	}
	for _, want := range []string{
		"### 📒 jit-gate record: applied\n",
		"**Outcome: success.** The grants and revocations below took effect in this apply.",
		"Commit: " + sha + " · Pull request: #12 · Run: [https://github\\.com/acme/infra/actions/runs/42](https://github.com/acme/infra/actions/runs/42) · Recorded: 2026-03-01T10:05:00Z\n",
		"Grants: 2 · Revocations: 1\n",
		"| Address | ID | Principal | Scope | From (UTC) | To (UTC) | Reason | Ticket | Break-glass | Approved by |",
		"| jit\\_elevation\\.alice\\[\"x\"\\] | elev\\-1 | alice | github:team:acme/admins | 2026\\-03\\-01T10:00:00Z | 2026\\-03\\-01T12:00:00Z | @\u200docto",
		"| INC\\-1 | no | bob, Dave\\-2 |\n",
		"| jit\\_elevation\\.bg | none | carol | github:repo:acme/api:admin | at apply | at apply \\+ 1h | pager storm, taking the secondary | none | yes | no one |\n",
		"| jit\\_elevation\\.old | none | github:team:acme/admins | 2026\\-02\\-28T10:00:00Z | 2026\\-03\\-01T10:00:03Z | expired |\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("record lacks %q:\n%s", want, body)
		}
	}
	if strings.Count(body, "<!--") != 1 || strings.Contains(body, "@octocat") || strings.Contains(body, "Break-glass review overdue") {
		t.Errorf("record:\n%s", body)
	}
	if !strings.HasSuffix(body, RecordMarkdown(sampleRecord())) {
		t.Error("the comment is not marker + RecordMarkdown")
	}

	for _, tc := range []struct {
		address string
		want    []string
	}{
		{`jit_elevation.alice["x"]`, []string{"bob", "Dave-2"}},
		{"jit_elevation.bg", []string{}},
	} {
		got, ok := RecordedApprovers(body, tc.address)
		if !ok || !slices.Equal(got, tc.want) {
			t.Errorf("RecordedApprovers(%s) = %q, %v; want %q", tc.address, got, ok, tc.want)
		}
		// GitHub's editor saves CRLF; the table still reads.
		if got, ok := RecordedApprovers(strings.ReplaceAll(body, "\n", "\r\n"), tc.address); !ok || !slices.Equal(got, tc.want) {
			t.Errorf("CRLF: RecordedApprovers(%s) = %q, %v", tc.address, got, ok)
		}
	}
	for _, address := range []string{"jit_elevation.old", "jit_elevation.alice", "| jit_elevation.bg"} {
		if got, ok := RecordedApprovers(body, address); ok {
			t.Errorf("RecordedApprovers(%s) = %q: it is not a grant of this record", address, got)
		}
	}
}

func TestRecordOutcomes(t *testing.T) {
	rec := sampleRecord()
	rec.Outcome = OutcomeFailure
	rec.PR, rec.NoPR, rec.RunURL = 0, "scheduled or manual run", "javascript:alert(1)"
	bodies, err := RecordBodies(rec)
	if err != nil {
		t.Fatal(err)
	}
	body := bodies[0]
	for _, want := range []string{
		"### ❌ jit-gate record: apply failed\n",
		"**Outcome: failure.** The apply did not complete: nothing below may be taken as granted or revoked.",
		"Pull request: none (scheduled or manual run) · Run: unknown",
		"#### Grants planned, not confirmed (2)",
		"#### Revocations planned, not confirmed (1)",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("failure record lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "\n#### Grants (") {
		t.Error("a failed apply claims grants")
	}
	if _, ok := RecordedApprovers(body, `jit_elevation.alice["x"]`); ok {
		t.Error("approvers read from the record of a failed apply")
	}

	rec.Outcome = OutcomeSkipped
	if !rec.Empty() {
		t.Error("a skipped apply without findings is not empty")
	}
	rec.Unreviewed = []gate.Violation{{Rule: gate.RuleBreakGlassUnreviewed, Address: "jit_elevation.bg", Message: "carol's break-glass elevation has no post-hoc approval @lead"}}
	if rec.Empty() {
		t.Error("a skipped apply with a finding is empty")
	}
	md := RecordMarkdown(rec)
	for _, want := range []string{"**Outcome: skipped.** Nothing was applied in this run.", "Break-glass review overdue: 1\n", "| jit\\_elevation\\.bg | carol's break\\-glass elevation has no post\\-hoc approval @\u200dlead |"} {
		if !strings.Contains(md, want) {
			t.Errorf("skipped record lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "Grants") {
		t.Errorf("a skipped apply lists the plan's grants:\n%s", md)
	}

	// A drift run that applied nothing still records shadow access.
	rec.Unreviewed = nil
	rec.Shadow = []gate.ShadowAccess{{Address: "jit_optout_policy.prod", Scope: "github:team:acme/admins", Principal: "mallory"}}
	if rec.Empty() {
		t.Error("a record with shadow access is empty")
	}
	md = RecordMarkdown(rec)
	if !strings.Contains(md, "| jit\\_optout\\_policy\\.prod | github:team:acme/admins | mallory |") || strings.Contains(md, "Break-glass") {
		t.Errorf("shadow record:\n%s", md)
	}

	// What the sweep removed, or could not, is recorded with it.
	rec.Shadow = nil
	rec.Swept = []sweep.Outcome{
		{Removal: sweep.Removal{Policy: "jit_optout_policy.prod", Scope: "github:team:acme/admins:maintainer", Principal: "mallory", LeaveAt: "member"}, Result: sweep.Removed},
		{Removal: sweep.Removal{Policy: "jit_optout_policy.prod", Scope: "github:team:acme/admins", Principal: "boss"}, Result: sweep.OrgOwner, Detail: "boss owns organization acme"},
	}
	if rec.Empty() {
		t.Error("a record of a sweep is empty")
	}
	md = RecordMarkdown(rec)
	for _, want := range []string{
		"#### Shadow access swept (2)",
		"| jit\\_optout\\_policy\\.prod | github:team:acme/admins:maintainer | mallory | removed | member |",
		"| jit\\_optout\\_policy\\.prod | github:team:acme/admins | boss | org\\_owner: boss owns organization acme | none |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("swept record lacks %q:\n%s", want, md)
		}
	}
}

func TestRecordLink(t *testing.T) {
	for u, want := range map[string]string{
		"https://github.example/acme/infra/actions/runs/42": "[https://github\\.example/acme/infra/actions/runs/42](https://github.example/acme/infra/actions/runs/42)",
		"":                              "unknown",
		"javascript:alert(1)":           "unknown",
		"https://x.example/a)(b":        "unknown",
		"https://x.example/a b":         "unknown",
		"https://x.example/\u202eevil":  "unknown",
		"https://x.example/\"onclick=1": "unknown",
	} {
		if got := Link(u, u); got != want {
			t.Errorf("Link(%q) = %q, want %q", u, got, want)
		}
	}
}

// An audit record is never cut: rows that do not fit one comment go on into
// further parts, each sealed and within GitHub's limit.
func TestRecordBodiesSplit(t *testing.T) {
	rec := sampleRecord()
	rec.Grants, rec.Revocations = nil, nil
	for i := range 400 {
		rec.Grants = append(rec.Grants, RecordGrant{
			Address: fmt.Sprintf(`jit_elevation.e["%03d"]`, i), Principal: "user" + fmt.Sprint(i), Scope: "github:repo:acme/api:admin",
			From: AtApply, To: AtApply + " + 2h", Reason: strings.Repeat("@x<", 60), ApprovedBy: []string{"bob"},
		})
	}
	for i := range 50 {
		rec.Revocations = append(rec.Revocations, RecordRevocation{Address: fmt.Sprintf("jit_elevation.r%d", i), Principal: "p", Scope: "github:team:acme/x", Why: "expired", At: AtApply})
	}
	bodies, err := RecordBodies(rec)
	if err != nil {
		t.Fatal(err)
	}
	if len(bodies) < 2 {
		t.Fatalf("%d bodies: the test needs a record that does not fit one", len(bodies))
	}
	rows := 0
	for i, b := range bodies {
		if len(b) > MaxCommentBytes {
			t.Errorf("part %d is %d bytes", i+1, len(b))
		}
		m, integrity, _ := CheckSeal(b)
		if integrity != Intact || m.Extra["part"] != fmt.Sprint(i+1) {
			t.Errorf("part %d: marker %+v, %s", i+1, m, integrity)
		}
		if want := fmt.Sprintf("Part %d of %d", i+1, len(bodies)); !strings.Contains(b, want) {
			t.Errorf("part %d lacks %q", i+1, want)
		}
		rows += strings.Count(b, "\n| jit\\_elevation\\.")
	}
	if rows != 450 {
		t.Errorf("%d rows over all parts, want 450", rows)
	}
	last := bodies[len(bodies)-1]
	if got, ok := RecordedApprovers(last, `jit_elevation.e["399"]`); !ok || !slices.Equal(got, []string{"bob"}) {
		t.Errorf("last grant in the last part: %q, %v", got, ok)
	}
	if !strings.Contains(last, "#### Revocations (50)") {
		t.Error("revocations missing from the last part")
	}
}
