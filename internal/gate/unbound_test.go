package gate

import (
	"slices"
	"strings"
	"testing"
)

// In apply mode a request is judged on the pull request that introduced it,
// never on the approvals of the one merged as the applied commit.
func TestApprovalUnbound(t *testing.T) {
	const addr = "jit_elevation.req"
	unapproved := Facts{HasPR: true, Number: 3, Author: "carol", HeadSHA: "a3"} // merged without review
	tests := []struct {
		name  string
		bound map[string]Bound
		prs   map[int]Facts
		want  []string
		pr    int
		by    []string
	}{
		{"introduced by the merged pull request", map[string]Bound{addr: {PR: 7}}, nil, []string{}, 7, []string{"bob"}},
		{"introduced by an earlier, unapproved pull request", map[string]Bound{addr: {PR: 3}}, map[int]Facts{3: unapproved},
			[]string{RuleApprovalInsufficient}, 3, []string{}},
		{"introduced by an earlier, approved pull request", map[string]Bound{addr: {PR: 3}},
			map[int]Facts{3: {HasPR: true, Number: 3, Author: "carol", HeadSHA: "a3", Reviews: []Review{{Login: "bob", State: StateApproved, CommitID: "a3"}}}},
			[]string{}, 3, []string{"bob"}},
		{"its pull request not read", map[string]Bound{addr: {PR: 3}}, nil, []string{RuleApprovalUnbound}, 0, []string{}},
		{"unbound", map[string]Bound{addr: {Why: "several pull requests were merged since"}}, nil, []string{RuleApprovalUnbound}, 0, []string{}},
		{"not attributed at all", nil, nil, []string{RuleApprovalUnbound}, 0, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, f := scenario()
			f.Bound, f.PRs = tt.bound, tt.prs
			r := Evaluate(p, f, Options{Mode: ModeApply})
			if got := rules(r); !slices.Equal(got, tt.want) {
				t.Errorf("rules %v, want %v\n%s", got, tt.want, messages(r))
			}
			e := r.Elevations[0]
			if e.PR != tt.pr || !slices.Equal(e.ApprovedBy, tt.by) {
				t.Errorf("judged on #%d approved by %v, want #%d by %v", e.PR, e.ApprovedBy, tt.pr, tt.by)
			}
			// pr mode judges the pull request itself, whatever Bound says.
			if r := Evaluate(p, f, Options{Mode: ModePR}); len(r.Violations) != 0 || r.Elevations[0].PR != 7 {
				t.Errorf("pr mode: %v on #%d", rules(r), r.Elevations[0].PR)
			}
		})
	}
	p, f := scenario()
	f.Bound = map[string]Bound{addr: {Why: "commit abc was pushed without a pull request"}}
	if r := Evaluate(p, f, Options{Mode: ModeApply}); !strings.Contains(messages(r), "pushed without a pull request") {
		t.Errorf("the message says why:\n%s", messages(r))
	}
}
