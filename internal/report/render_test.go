package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
)

// readable is a report as a reviewer meets it: two requests, one short of
// approvals, a policy change, a change outside the jit rules, and the
// provider's token account holding a governed scope.
func readable() gate.Report {
	r := sample()
	r.Elevations = append(r.Elevations, gate.ElevationReport{
		Address: "jit_elevation.bob_api", Action: "create", Principal: "bob", Scope: "github:repo:acme/payments-api:maintain",
		Duration: "4h", Policy: "jit_optout_policy.payments.id", ApprovalsRequired: 2, ApprovedBy: []string{"carol", "dave"},
		Reason: "Cut the 2.14 release branch and fix its protection", Ticket: "REL-2140", Approvers: []string{"carol", "dave", "team:acme/release-leads"},
		Overlaps: []gate.OverlapReport{{Address: "jit_elevation.bob_old", Scope: "github:repo:acme/payments-api:push", ExpiresAt: "2026-12-02T12:00:00Z", Declared: true}},
	})
	r.Unguarded = []gate.Unguarded{{Address: "terraform_data.hook", Type: "terraform_data", Action: "create", Rule: gate.RulePlanEscape,
		Why: "it has provisioners (local-exec)", ApprovalsRequired: 1, ApprovedBy: []string{}, NotCounted: []gate.NotCounted{{Login: "alice", Why: gate.WhyAuthor}}}}
	r.Shadow = append(r.Shadow, gate.ShadowAccess{Address: "jit_optout_policy.ops", Scope: "github:repo:acme/api:admin", Principal: "jit-bot", TokenAccount: true})
	return r
}

// The comment, rendered to HTML as GitHub renders markdown (GFM, with
// <details>), keeps every table at most MaxColumns wide, every row as wide
// as its header (user text never adds a cell), the verdict in one heading,
// and the rows a reviewer reads short enough for a laptop's screen.
func TestCommentRendersReadably(t *testing.T) {
	body, err := CommentBody(readable(), Meta{Label: "infra-prod", RunURL: "https://github.com/acme/infra/actions/runs/42"})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	md := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(html.WithUnsafe()))
	if err := md.Convert([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	doc := out.String()

	tables := regexp.MustCompile(`(?s)<table>.*?</table>`).FindAllString(doc, -1)
	if len(tables) != 8 {
		t.Errorf("%d tables, want one per non-empty section (8):\n%s", len(tables), doc)
	}
	cell := regexp.MustCompile(`<t[hd][ >]`)
	tag := regexp.MustCompile(`<[^>]+>`)
	for _, tb := range tables {
		rows := regexp.MustCompile(`(?s)<tr>.*?</tr>`).FindAllString(tb, -1)
		head := len(cell.FindAllString(rows[0], -1))
		if head > MaxColumns {
			t.Errorf("table with %d columns, over %d: %s", head, MaxColumns, rows[0])
		}
		for _, row := range rows[1:] {
			if n := len(cell.FindAllString(row, -1)); n != head {
				t.Errorf("row with %d cells under %d headers: %s", n, head, row)
			}
		}
		// The requests' rows, not the hostile violation, are what must fit.
		if strings.Contains(rows[0], "Who can approve") {
			for _, row := range rows {
				if text := tag.ReplaceAllString(row, " "); utf8.RuneCountInString(strings.Join(strings.Fields(text), " ")) > 140 {
					t.Errorf("elevation row of %d characters: %q", utf8.RuneCountInString(text), text)
				}
			}
		}
	}
	if n := strings.Count(doc, "<h3>"); n != 1 || !strings.Contains(doc, "<h3>❌ jit-gate: blocked · infra-prod</h3>") {
		t.Errorf("%d h3 headings; want the verdict once:\n%s", n, doc)
	}
	for _, want := range []string{
		`<a href="https://github.com/acme/infra/actions/runs/42">the run</a>`,
		"<summary>Details</summary>",
		"Reason: Cut the 2.14 release branch and fix its protection",
		"Ticket: REL-2140",
		"Held by the provider",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("HTML lacks %q:\n%s", want, doc)
		}
	}
	if strings.Contains(doc, `href="javascript`) || strings.Contains(doc, "<!-- jit-gate v1") {
		t.Errorf("user text became markup:\n%s", doc)
	}
	if strings.Count(doc, "<details>") != strings.Count(doc, "</details>") {
		t.Errorf("unbalanced <details>:\n%s", doc)
	}
	// Lines outside tables read without scrolling sideways.
	for _, l := range strings.Split(body, "\n") {
		if !strings.HasPrefix(l, "|") && !strings.HasPrefix(l, "<!--") && utf8.RuneCountInString(l) > 240 {
			t.Errorf("line of %d characters: %q", utf8.RuneCountInString(l), l)
		}
	}
}

// Sections with nothing in them are left out, and a passing plan says so
// in one line, not a row of zero counts.
func TestCommentLeavesOutEmptySections(t *testing.T) {
	r := gate.Report{Verdict: gate.VerdictPass, Mode: string(gate.ModePR), HeadSHA: sha,
		Elevations: []gate.ElevationReport{{Address: "jit_elevation.x", Action: "create", Principal: "mona", Scope: "github:team:acme/oncall",
			Duration: "1h", Policy: "oncall", ApprovalsRequired: 1, ApprovedBy: []string{"lead"}, Reason: "Paged for INC-1", Approvers: []string{"lead"}}}}
	md := Markdown(r, Meta{})
	for _, bad := range []string{"Drift", "Shadow", "Violations", ": 0", "Revocations"} {
		if strings.Contains(md, bad) {
			t.Errorf("empty section %q shown:\n%s", bad, md)
		}
	}
	if !strings.Contains(md, "1 of 1 ✓") || !strings.Contains(md, "Nothing more on this head commit") {
		t.Errorf("passing comment:\n%s", md)
	}
}
