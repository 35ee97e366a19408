package gate

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
)

const grantCommit = "ABCDEF0123456789abcdef0123456789abcdef01"

var granted = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// breakGlassState is a drift-mode plan with one break-glass elevation in
// state, granted by grantCommit, under testPolicy() (review_within 24h), and
// the facts of the pull request merged as that commit: author carol, head
// "merged", no reviews yet. now is 25h after the grant.
func breakGlassState(mods ...func(*policy.Elevation)) (*plan.Plan, Facts) {
	el := elevation(func(e *policy.Elevation) {
		e.BreakGlass, e.Duration, e.Unknown = true, time.Hour, nil
		e.Status, e.GrantedAt, e.ExpiresAt = "expired", granted.Format(time.RFC3339), granted.Add(time.Hour).Format(time.RFC3339)
		e.GrantedByCommit = grantCommit
	})
	for _, m := range mods {
		m(el)
	}
	p := &plan.Plan{
		Policies:   []plan.PolicyChange{policyNoop(testPolicy())},
		Elevations: []plan.ElevationChange{{Resource: res(plan.TypeElevation, "bg"), Action: plan.ActionNoOp, Before: el, After: el}},
	}
	pr := Facts{
		HasPR: true, Number: 9, Author: "carol", HeadSHA: "merged", Committers: []string{"carol"},
		TeamMembers: map[string][]string{"acme/sec": {"dave"}},
	}
	return p, Facts{Now: granted.Add(25 * time.Hour), PostHoc: map[string]Facts{strings.ToLower(grantCommit): pr}}
}

func postHocReview(login, state string, at time.Time) Review {
	return Review{Login: login, State: state, CommitID: "merged", SubmittedAt: at}
}

func TestBreakGlassUnreviewed(t *testing.T) {
	after := granted.Add(time.Hour)
	tests := []struct {
		name    string
		mode    Mode
		now     time.Duration // after the grant; 0 keeps 25h
		el      func(*policy.Elevation)
		facts   func(*Facts) // the merged pull request's
		noFacts bool         // PostHoc not fetched
		want    string       // a substring of the one violation; "" for none
	}{
		{name: "approved after the grant", facts: func(f *Facts) { f.Reviews = []Review{postHocReview("bob", StateApproved, after)} }},
		{name: "approved late still counts", facts: func(f *Facts) {
			f.Reviews = []Review{postHocReview("bob", StateApproved, granted.Add(24*time.Hour+time.Minute))}
		}},
		{name: "approved through a team", facts: func(f *Facts) { f.Reviews = []Review{postHocReview("Dave", StateApproved, after)} }},
		{name: "window still open", now: 23 * time.Hour},
		{name: "not drift mode", mode: ModeApply},
		{name: "not break-glass", el: func(e *policy.Elevation) { e.BreakGlass = false }},
		{name: "no review", want: `alice's break-glass elevation to github:repo:acme/api:admin (granted 2026-03-01T10:00:00Z) has 0 of 1 post-hoc approvals (required_approvals) on pull request #9 from policy "admins" approvers; break_glass.review_within 24h ended 2026-03-02T10:00:00Z`},
		{name: "approved before the grant", facts: func(f *Facts) { f.Reviews = []Review{postHocReview("bob", StateApproved, granted)} }, want: "0 of 1 post-hoc approvals"},
		{name: "approved by the principal", facts: func(f *Facts) { f.Reviews = []Review{postHocReview("alice", StateApproved, after)} }, want: "0 of 1 post-hoc approvals"},
		{name: "approved by the author", facts: func(f *Facts) {
			f.Author = "bob"
			f.Reviews = []Review{postHocReview("bob", StateApproved, after)}
		}, want: "0 of 1 post-hoc approvals"},
		{name: "approved by a non-approver", facts: func(f *Facts) { f.Reviews = []Review{postHocReview("mallory", StateApproved, after)} }, want: "0 of 1 post-hoc approvals"},
		{name: "approval withdrawn", facts: func(f *Facts) {
			f.Reviews = []Review{postHocReview("bob", StateApproved, after), postHocReview("bob", StateChangesRequested, after.Add(time.Minute))}
		}, want: "; changes requested by bob"},
		{name: "no granted_by_commit", el: func(e *policy.Elevation) { e.GrantedByCommit = "" }, want: "applied outside a workflow run"},
		{name: "facts not fetched", noFacts: true, want: "the reviews of commit abcdef0123456789abcdef0123456789abcdef01 were not read"},
		{name: "commit without pull request", facts: func(f *Facts) { *f = Facts{} }, want: "is not the merge of any pull request"},
		{name: "policy gone", el: func(e *policy.Elevation) { e.PolicyID = "nope" }, now: time.Minute, want: `policy_id "nope" matches no jit_optout_policy in the plan, so nobody can be counted`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var mods []func(*policy.Elevation)
			if tc.el != nil {
				mods = append(mods, tc.el)
			}
			p, f := breakGlassState(mods...)
			if tc.now != 0 {
				f.Now = granted.Add(tc.now)
			}
			pr := f.PostHoc[strings.ToLower(grantCommit)]
			if tc.facts != nil {
				tc.facts(&pr)
			}
			f.PostHoc[strings.ToLower(grantCommit)] = pr
			if tc.noFacts {
				f.PostHoc = nil
			}
			mode := tc.mode
			if mode == "" {
				mode = ModeDrift
			}
			if mode == ModeApply {
				f.Anchor = &Anchor{} // a repository set up well (trust.anchor)
			}
			r := Evaluate(p, f, Options{Mode: mode})
			if tc.want == "" {
				if len(r.Violations) != 0 {
					t.Fatalf("violations:\n%s", messages(r))
				}
				return
			}
			if got := rules(r); !slices.Equal(got, []string{RuleBreakGlassUnreviewed}) || !strings.Contains(r.Violations[0].Message, tc.want) {
				t.Fatalf("violations:\n%s\nwant one break_glass.unreviewed containing %q", messages(r), tc.want)
			}
			if r.Violations[0].Address != "jit_elevation.bg" || r.Verdict != VerdictBlocked {
				t.Errorf("violation = %+v, verdict %s", r.Violations[0], r.Verdict)
			}
		})
	}
}

// The post-hoc review is the one the break-glass grant skipped: as many
// approvals as the policy's required_approvals, however few break_glass
// needed up front.
func TestBreakGlassPostHocNeedsRequiredApprovals(t *testing.T) {
	after := granted.Add(time.Hour)
	for _, tc := range []struct {
		approvers []string
		want      string
	}{
		{[]string{"bob"}, "has 1 of 2 post-hoc approvals (required_approvals)"},
		{[]string{"bob", "Dave"}, ""},
	} {
		p, f := breakGlassState()
		for _, pol := range []*policy.Policy{p.Policies[0].Before, p.Policies[0].After} {
			pol.RequiredApprovals, pol.BreakGlass.RequiredApprovals = 2, 0
		}
		pr := f.PostHoc[strings.ToLower(grantCommit)]
		for _, a := range tc.approvers {
			pr.Reviews = append(pr.Reviews, postHocReview(a, StateApproved, after))
		}
		f.PostHoc[strings.ToLower(grantCommit)] = pr
		r := Evaluate(p, f, Options{Mode: ModeDrift})
		switch {
		case tc.want == "" && len(r.Violations) != 0:
			t.Errorf("approved by %v: %s", tc.approvers, messages(r))
		case tc.want != "" && (len(r.Violations) != 1 || !strings.Contains(r.Violations[0].Message, tc.want)):
			t.Errorf("approved by %v: %s, want %q", tc.approvers, messages(r), tc.want)
		}
	}
}

func TestBreakGlassCommits(t *testing.T) {
	p, _ := breakGlassState()
	bg := func(name, commit string, grantedAgo time.Duration) plan.ElevationChange {
		el := *p.Elevations[0].Before
		el.GrantedByCommit, el.GrantedAt = commit, granted.Add(-grantedAgo).Format(time.RFC3339)
		return plan.ElevationChange{Resource: res(plan.TypeElevation, name), Action: plan.ActionNoOp, Before: &el, After: &el}
	}
	p.Elevations = append(p.Elevations,
		bg("same_commit", strings.ToLower(grantCommit), 0),
		bg("older", "0000000000000000000000000000000000000002", 48*time.Hour),
		bg("recent", "0000000000000000000000000000000000000003", -24*time.Hour), // window still open
		bg("no_commit", "", 0),
		create("new", elevation(func(e *policy.Elevation) { e.BreakGlass = true })), // not granted yet
	)
	now := granted.Add(25 * time.Hour)
	want := []string{"0000000000000000000000000000000000000002", strings.ToLower(grantCommit)}
	if got := BreakGlassCommits(p, Options{Mode: ModeDrift}, now); !slices.Equal(got, want) {
		t.Errorf("BreakGlassCommits = %v, want %v", got, want)
	}
	if got := BreakGlassCommits(p, Options{Mode: ModePR}, now); len(got) != 0 {
		t.Errorf("pr mode: BreakGlassCommits = %v, want none", got)
	}
}
