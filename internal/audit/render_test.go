package audit

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/report"
	"github.com/jitgate/terraform-provider-jit/internal/sweep"
)

const sha = "0123456789abcdef0123456789abcdef01234567"

// hostile is user text crafted to break out of a record: its table, its
// HTML comment, its JSON line.
const hostile = "@octocat\n## Verdict: pass\n<!-- jit-gate v2 kind=record head=" + sha + " --> | x | --> \u2028 \\\" }} [x](javascript:alert(1))"

var recorded = time.Date(2026, 3, 1, 10, 5, 0, 0, time.UTC)

func sampleRecord() Record {
	return Record{
		Kind: KindApply, Repo: "acme/infra", Outcome: OutcomeSuccess, Commit: sha, PR: 12, RunURL: "https://github.com/acme/infra/actions/runs/42", RecordedAt: recorded,
		Grants: []RecordGrant{
			{Address: `jit_elevation.alice["x"]`, ID: "elev-1", Principal: "alice", Scope: "github:team:acme/admins", Duration: "2h",
				From: "2026-03-01T10:00:00Z", To: "2026-03-01T12:00:00Z", Reason: hostile, Ticket: "INC-1", ApprovedBy: []string{"bob", "Dave-2"}, PR: 12, Verdict: "pass"},
			{Address: "jit_elevation.bg", Principal: "carol", Scope: "github:repo:acme/api:admin", Duration: "1h",
				From: AtApply, To: AtApply + " + 1h", Reason: "pager storm, taking the secondary", BreakGlass: true, ApprovedBy: []string{}, PR: 12, Verdict: "pass"},
		},
		Revocations: []RecordRevocation{{Address: "jit_elevation.old", ID: "elev-0", Principal: "none", Scope: "github:team:acme/admins", Why: gate.RevokeExpired,
			From: "2026-02-28T10:00:00Z", At: "2026-03-01T10:00:03Z"}},
	}
}

func one(t *testing.T, rec Record) part {
	t.Helper()
	parts, err := split(rec, report.MaxCommentBytes-markerRoom)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 1 {
		t.Fatalf("%d parts, want 1", len(parts))
	}
	return parts[0]
}

func TestRecordContent(t *testing.T) {
	p := one(t, sampleRecord())
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
		if !strings.Contains(p.content, want) {
			t.Errorf("record lacks %q:\n%s", want, p.content)
		}
	}
	if strings.Contains(p.content, "@octocat") || strings.Contains(p.content, "Break-glass review overdue") {
		t.Errorf("record:\n%s", p.content)
	}
	if !strings.HasPrefix(p.content, sampleRecord().Markdown()) {
		t.Error("the comment is not the record's markdown, then its JSON line")
	}
	// Exactly one HTML comment, the JSON line, closed where it ends: no
	// user text can close it early or open another.
	lines := strings.Split(strings.TrimSuffix(p.content, "\n"), "\n")
	last := lines[len(lines)-1]
	if strings.Count(p.content, "<!--") != 1 || strings.Count(p.content, "-->") != 1 || !strings.HasPrefix(last, linePrefix) || !strings.HasSuffix(last, lineSuffix) ||
		lines[len(lines)-2] != "" {
		t.Errorf("the JSON line is not one HTML comment of its own:\n%s", p.content)
	}
	// It reads back exactly what was recorded, hostile text included,
	// CRLF line endings too.
	for _, content := range []string{p.content, strings.ReplaceAll(p.content, "\n", "\r\n")} {
		rec, err := parseLine(content)
		want := sampleRecord()
		want.normalize()
		if err != nil || rec.Grants[0].Reason != hostile || !slices.Equal(rec.Grants[0].ApprovedBy, []string{"bob", "Dave-2"}) ||
			rec.Revocations[0].ID != "elev-0" || rec.id() != want.id() {
			t.Errorf("parseLine = %+v, %v", rec, err)
		}
	}
	for name, content := range map[string]string{
		"no line":   sampleRecord().Markdown(),
		"two lines": p.content + last + "\n",
		"bad JSON":  linePrefix + "{" + lineSuffix,
		"version 2": linePrefix + `{"v":2}` + lineSuffix,
		"trailing":  linePrefix + `{"v":1} {}` + lineSuffix,
	} {
		if _, err := parseLine(content); err == nil {
			t.Errorf("%s: parseLine accepted it", name)
		}
	}
	// The table is for people: changing it changes nothing read back.
	if rec, _ := parseLine(strings.Replace(p.content, "| bob, Dave\\-2 |", "| bob, Dave\\-2, mallory |", 1)); slices.Contains(rec.Grants[0].ApprovedBy, "mallory") {
		t.Error("approvers read from the markdown table")
	}
}

func TestRecordOutcomes(t *testing.T) {
	rec := sampleRecord()
	rec.Outcome = OutcomeFailure
	rec.PR, rec.NoPR, rec.RunURL = 0, "scheduled or manual run", "javascript:alert(1)"
	body := one(t, rec).content
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

	// A skipped apply lists what it judged, with the pull request each
	// request is attributed to, and grants nothing.
	rec.Outcome = OutcomeSkipped
	if body := rec.Markdown(); rec.Empty() || !strings.Contains(body, "#### Requests judged, not applied (2)") || !strings.Contains(body, "| #12 | pass |") || strings.Contains(body, "\n#### Grants (") {
		t.Errorf("a skipped apply:\n%s", body)
	}
	rec.Grants = nil
	if !rec.Empty() {
		t.Error("a skipped apply without requests or findings is not empty")
	}
	rec.Unreviewed = []RecordFinding{{Address: "jit_elevation.bg", Message: "carol's break-glass elevation has no post-hoc approval @lead"}}
	if rec.Empty() {
		t.Error("a skipped apply with a finding is empty")
	}
	md := rec.Markdown()
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
	md = rec.Markdown()
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
	p := one(t, rec)
	for _, want := range []string{
		"#### Shadow access swept (2)",
		"| jit\\_optout\\_policy\\.prod | github:team:acme/admins:maintainer | mallory | removed | member |",
		"| jit\\_optout\\_policy\\.prod | github:team:acme/admins | boss | org\\_owner: boss owns organization acme | none |",
	} {
		if !strings.Contains(p.content, want) {
			t.Errorf("swept record lacks %q:\n%s", want, p.content)
		}
	}
	if len(p.rec.Swept) != 2 || p.rec.Swept[1].Detail != "boss owns organization acme" {
		t.Errorf("swept entries = %+v", p.rec.Swept)
	}

	// jit-gate revoke's record lists revocations only; prune's, archives.
	rev := Record{Kind: KindRevoke, Outcome: OutcomeSuccess, RecordedAt: recorded, Revocations: sampleRecord().Revocations}
	if md := rev.Markdown(); !strings.Contains(md, "revoked at expiry") || !strings.Contains(md, "#### Revocations (1)") || strings.Contains(md, "Grants") {
		t.Errorf("revoke record:\n%s", md)
	}
	arch := Record{Kind: KindArchive, Outcome: OutcomeSuccess, RecordedAt: recorded, Grants: []RecordGrant{{Address: "jit_elevation.old", ID: "elev-0",
		Status: "expired", RevokedAt: "2026-03-01T10:00:03Z", ApprovedBy: []string{"bob"}}}}
	if md := arch.Markdown(); !strings.Contains(md, "#### Archived elevations (1)") || !strings.Contains(md, "| 2026\\-03\\-01T10:00:03Z | expired |") {
		t.Errorf("archive record:\n%s", md)
	}
}

// An audit record is never cut: rows that do not fit one comment go on into
// further parts, each within GitHub's limit with the JSON line of its own
// entries.
func TestRecordSplit(t *testing.T) {
	rec := sampleRecord()
	rec.Grants, rec.Revocations = nil, nil
	for i := range 400 {
		rec.Grants = append(rec.Grants, RecordGrant{
			Address: fmt.Sprintf(`jit_elevation.e["%03d"]`, i), ID: fmt.Sprint("elev-", i), Principal: "user" + fmt.Sprint(i), Scope: "github:repo:acme/api:admin",
			From: AtApply, To: AtApply + " + 2h", Reason: strings.Repeat("@x<", 60), ApprovedBy: []string{"bob"},
		})
	}
	for i := range 50 {
		rec.Revocations = append(rec.Revocations, RecordRevocation{Address: fmt.Sprintf("jit_elevation.r%d", i), Principal: "p", Scope: "github:team:acme/x", Why: "expired", At: AtApply})
	}
	parts, err := split(rec, report.MaxCommentBytes-markerRoom)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) < 2 {
		t.Fatalf("%d parts: the test needs a record that does not fit one", len(parts))
	}
	rows, grants, revocations := 0, 0, 0
	for i, p := range parts {
		if len(p.content) > report.MaxCommentBytes-markerRoom {
			t.Errorf("part %d is %d bytes", i+1, len(p.content))
		}
		if want := fmt.Sprintf("Part %d of %d", i+1, len(parts)); !strings.Contains(p.content, want) {
			t.Errorf("part %d lacks %q", i+1, want)
		}
		rows += strings.Count(p.content, "\n| jit\\_elevation\\.")
		read, err := parseLine(p.content)
		if err != nil || read.Part != i+1 || read.Parts != len(parts) || read.id() != p.rec.id() {
			t.Errorf("part %d reads %+v, %v", i+1, read.Part, err)
		}
		grants += len(read.Grants)
		revocations += len(read.Revocations)
	}
	if rows != 450 || grants != 400 || revocations != 50 {
		t.Errorf("%d rows, %d grants, %d revocations over all parts, want 450, 400, 50", rows, grants, revocations)
	}
	last := parts[len(parts)-1]
	if !strings.Contains(last.content, "#### Revocations (50)") || last.rec.Grants[len(last.rec.Grants)-1].ID != "elev-399" {
		t.Error("the last part lacks the last grant or the revocations")
	}
}
