package gate

import (
	"cmp"
	"slices"
	"strings"

	"github.com/jitgate/terraform-provider-jit/internal/policy"
)

// tally is the outcome of counting approvals for one change.
type tally struct {
	approvedBy []string
	notCounted []NotCounted
	vetoedBy   []string
}

// decisive keeps each reviewer's latest APPROVED, CHANGES_REQUESTED or
// DISMISSED review (COMMENTED decides nothing), sorted by login.
func decisive(reviews []Review) []Review {
	latest := map[string]Review{}
	for _, r := range reviews {
		switch strings.ToUpper(r.State) {
		case StateApproved, StateChangesRequested, StateDismissed:
			latest[strings.ToLower(r.Login)] = r
		}
	}
	out := make([]Review, 0, len(latest))
	for _, r := range latest {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Review) int { return cmp.Compare(strings.ToLower(a.Login), strings.ToLower(b.Login)) })
	return out
}

// count applies DESIGN's approval counting to the decisive reviews of the
// pull request f: who approved among approvers, who did not count and why,
// and which approvers vetoed. principal is "" where the principal rule does
// not apply (governance).
func count(decisive []Review, f Facts, approvers []string, principal string) tally {
	t := tally{approvedBy: []string{}, notCounted: []NotCounted{}}
	for _, r := range decisive {
		approver, _ := policy.Listed(approvers, r.Login, f.members)
		switch strings.ToUpper(r.State) {
		case StateChangesRequested:
			if approver {
				t.vetoedBy = append(t.vetoedBy, r.Login)
			}
		case StateApproved:
			// Identity reasons first: re-approving cannot cure them, while
			// "stale" tells an eligible approver to approve again.
			why := ""
			switch {
			case r.Bot || strings.HasSuffix(strings.ToLower(r.Login), "[bot]"):
				why = WhyBot
			case strings.EqualFold(r.Login, f.Author):
				why = WhyAuthor
			case principal != "" && strings.EqualFold(r.Login, principal):
				why = WhyPrincipal
			case slices.ContainsFunc(f.Pushers, func(p string) bool { return strings.EqualFold(p, r.Login) }):
				why = WhyPusher
			case slices.ContainsFunc(f.Committers, func(c string) bool { return strings.EqualFold(c, r.Login) }):
				why = WhyCommitter
			case !approver:
				why = WhyNotApprover
			case f.HeadSHA == "" || r.CommitID != f.HeadSHA:
				why = WhyStale
			}
			if why == "" {
				t.approvedBy = append(t.approvedBy, r.Login)
			} else {
				t.notCounted = append(t.notCounted, NotCounted{Login: r.Login, Why: why})
			}
		}
	}
	return t
}

// members are the active members of a team, as fetched; a team whose
// members were not fetched has none.
func (f Facts) members(t policy.Team) ([]string, bool) {
	return f.TeamMembers[t.Key()], true
}
