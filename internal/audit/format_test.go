package audit

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/jitgate/terraform-provider-jit/internal/policy"
)

func joinedTimeline() Report {
	grants := timeline()
	grants[0].Reason, grants[0].Ticket, grants[0].GrantedByCommit = "=HYPERLINK(\"https://evil\") @octocat\n| x |", "INC-1", "abc"
	grants[0].History = []policy.Event{{At: "2026-03-01T10:00:00Z", Event: "granted", Detail: "granted <b>oncall</b>"}, {At: "2026-03-01T12:17:00Z", Event: "expired", Detail: "restored"}}
	grants[0].PR, grants[0].Approvers, grants[0].Record, grants[0].Seq = 12, []string{"bob", "dave"}, RecordIntact, 4
	grants[1].Record = RecordMissing
	return Report{AsOf: now, Filter: Filter{Principal: "mona"}, Source: SourceJoined, Grants: grants[:2]}
}

func TestCSV(t *testing.T) {
	var b bytes.Buffer
	if err := joinedTimeline().WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || !slices.Equal(rows[0], CSVHeader) {
		t.Fatalf("rows = %q", rows)
	}
	want := []string{"expired", "mona", "github:team:acme/oncall", "expired", "2026-03-01T10:00:00Z", "2026-03-01T12:00:00Z", "2026-03-01T12:17:00Z",
		"'=HYPERLINK(\"https://evil\") @octocat\n| x |", "INC-1", "", "abc", "12", "bob;dave", "2026-03-01T10:00:00Z granted;2026-03-01T12:17:00Z expired", "recorded", "4"}
	if !slices.Equal(rows[1], want) {
		t.Errorf("row 1 =\n%q\nwant\n%q", rows[1], want)
	}
	if rows[2][11] != "" || rows[2][12] != "" || rows[2][14] != "missing" || rows[2][15] != "" {
		t.Errorf("row 2: pr %q, approvers %q, record %q %q (a grant without a record)", rows[2][11], rows[2][12], rows[2][14], rows[2][15])
	}
	// Columns are only ever added at the end.
	want = []string{"address", "principal", "scope", "status", "granted_at", "expires_at", "revoked_at", "reason", "ticket", "previous_access", "granted_by_commit", "pr", "approvers", "events", "record", "record_seq"}
	if !slices.Equal(CSVHeader, want) {
		t.Errorf("CSV columns changed: %q", CSVHeader)
	}
}

func TestJSON(t *testing.T) {
	var b bytes.Buffer
	if err := joinedTimeline().WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		AsOf   string            `json:"as_of"`
		Filter map[string]string `json:"filter"`
		Source string            `json:"source"`
		Joined bool              `json:"joined"`
		Grants []map[string]any  `json:"grants"`
	}
	dec := json.NewDecoder(&b)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.AsOf != "2026-03-10T12:00:00Z" || doc.Filter["principal"] != "mona" || doc.Filter["since"] != "" || !doc.Joined || doc.Source != SourceJoined || len(doc.Grants) != 2 {
		t.Errorf("doc = %+v", doc)
	}
	g := doc.Grants[0]
	for k, v := range map[string]any{
		"address": "expired", "held_from": "2026-03-01T10:00:00Z", "held_until": "2026-03-01T12:17:00Z", "pr": 12.0, "record": RecordIntact, "record_seq": 4.0,
		"revoked_at": "2026-03-01T12:17:00Z", "break_glass": false,
	} {
		if g[k] != v {
			t.Errorf("%s = %#v, want %#v", k, g[k], v)
		}
	}
	if h := g["history"].([]any); len(h) != 2 || h[0].(map[string]any)["detail"] != "granted <b>oncall</b>" {
		t.Errorf("history = %v", h)
	}
}

func TestMarkdown(t *testing.T) {
	md := joinedTimeline().Markdown()
	for _, want := range []string{
		"### jit-gate audit: 2 grants\n",
		"As of 2026-03-10T12:00:00Z · Held: any time · Principal: mona · Scope: any · Approvers: from the gate's sealed records\n",
		"| expired | mona | github:team:acme/oncall | expired | 2026\\-03\\-01T10:00:00Z | 2026\\-03\\-01T12:17:00Z | \\=HYPERLINK\\(\"https://evil\"\\) @\u200docto",
		"| #12 | bob, dave (record 4) | 2026\\-03\\-01T10:00:00Z granted: granted &lt;b&gt;oncall&lt;/b&gt;<br>2026\\-03\\-01T12:17:00Z expired: restored |\n",
		"| unknown | unknown (missing) |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	for _, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(l, "| expired") {
			if n := strings.Count(strings.ReplaceAll(l, `\|`, ""), "|"); n != 13 {
				t.Errorf("row has %d pipes, want 13: %q", n, l)
			}
		}
	}
	r := Report{AsOf: now, Filter: Filter{Since: at("2026-03-01")}, Grants: timeline()[2:3]}
	md = r.Markdown()
	for _, want := range []string{"Held: from 2026-03-01T00:00:00Z until now", "Approvers: not joined", "| 2026\\-03\\-10T14:00:00Z (expiry) |", "| not joined |"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}
