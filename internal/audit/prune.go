package audit

import (
	"context"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/policy"
)

// PruneRun is one run of `jit-gate prune`: archive the ended elevations
// of a state into the audit log, so their blocks can leave the
// configuration without the trail losing them.
type PruneRun struct {
	Trail
	State  []Grant // `terraform show -json` of the state
	Commit string  // GITHUB_SHA, "" when none
	RunURL string
	Now    time.Time
	DryRun bool // say what would be archived, post nothing
}

// Pruned is what Prune found and did. Removable lists the elevations whose
// blocks may now be removed (Archived and Kept); Live those that may not.
type Pruned struct {
	Archived []Grant // archived by this run (or, dry, that would be)
	Kept     []Grant // already in the trail, with their end
	Live     []Grant // in force, or ended without a revocation time: not prunable
	Recorded Recorded
}

// Removable lists the addresses whose blocks may go.
func (p Pruned) Removable() []string {
	var out []string
	for _, g := range append(append([]Grant{}, p.Kept...), p.Archived...) {
		out = append(out, g.Address)
	}
	return out
}

// Prune archives every ended elevation of the state that the audit log
// does not already hold with its end: one sealed archive record with each
// one's whole state (status, times, reason, history, and the approvers and
// pull request of its grant's record when there is one). An elevation that
// has not ended, or whose access the state does not show taken away
// (revoked_at), is never archived: its block must stay until it is revoked.
func Prune(ctx context.Context, client *github.Client, run PruneRun) (Pruned, error) {
	l, err := readLedger(ctx, client, run.Trail)
	if err != nil {
		return Pruned{}, err
	}
	known := map[string]Grant{} // grants a record holds
	for _, g := range l.Timeline() {
		if g.Record != RecordMissing {
			known[g.ID] = g
		}
	}
	var out Pruned
	rec := Record{Kind: KindArchive, Repo: run.repo(), Outcome: OutcomeSuccess, Commit: run.Commit, RunURL: run.RunURL, RecordedAt: run.Now}
	for _, g := range run.State {
		k, recorded := known[g.ID]
		switch {
		case g.ID == "" || !policy.Ended(g.Status) || g.RevokedAt == "":
			out.Live = append(out.Live, g)
		case recorded && k.RevokedAt != "":
			out.Kept = append(out.Kept, g)
		default:
			out.Archived = append(out.Archived, g)
			a := RecordGrant{
				Address: g.Address, ID: g.ID, Policy: g.PolicyID, Principal: g.Principal, Scope: g.Scope, Duration: policy.FormatDuration(g.Duration),
				From: g.GrantedAt, To: g.ExpiresAt, Reason: g.Reason, Ticket: g.Ticket, BreakGlass: g.BreakGlass, ApprovedBy: []string{},
				ContentKey: policy.ContentKey(&g.Elevation), Status: g.Status, RevokedAt: g.RevokedAt, History: g.History,
			}
			if recorded {
				a.ApprovedBy, a.PR = k.Approvers, k.PR
			}
			rec.Grants = append(rec.Grants, a)
		}
	}
	if run.DryRun || len(rec.Grants) == 0 {
		rec.normalize()
		out.Recorded = Recorded{Record: rec}
		return out, nil
	}
	out.Recorded, err = writeRecord(ctx, client, run.Trail, rec, run.Now)
	return out, err
}
