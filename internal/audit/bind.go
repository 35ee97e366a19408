package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/clock"
	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/prfacts"
	"github.com/jitgate/terraform-provider-jit/internal/seal"
)

// Attribution: which pull request introduced each elevation an apply
// creates (DESIGN, approval.unbound).
//
// Every apply-mode run records the commit it judged, with each request of
// its plan and the pull request it attributed it to, blocked or not; a
// commit whose own run GitHub cancelled is judged by the next run's catch-up
// (Unjudged), without applying. So by induction, when commit C is judged,
// its first-parent chain back to L, the newest commit a trusted record
// judged, holds only commits no run judged, and:
//
//   - a request L's record holds (same address and content) was in L's plan
//     and is unchanged: it keeps L's attribution, even when C's own pull
//     request is approved (PR A merged unapproved stays blocked after PR B);
//   - any other request was introduced on (L, C]: if that is exactly one
//     pull request's merge, by that pull request; if it holds several, or a
//     commit pushed without a pull request, nobody can tell which, and it is
//     unbound.
//
// Only trusted records count: sealed with a key of the protected
// environment, by the gate's account, unedited. Deleting records from the
// log moves L back, which widens (L, C] and can only unbind. A repository
// where the gate never opened an audit log starts the induction at C's
// first parent.

// maxWalk bounds how far back the first-parent chain is walked for a judged
// commit: further back the catch-up is the way.
const maxWalk = 50

// Chain is the first-parent chain of a commit back to the last commit a
// trusted apply-mode record judged.
type Chain struct {
	Commit string // C
	// Last is the newest commit on C's first-parent chain that a trusted
	// apply-mode record judged: C itself when an earlier run of C did,
	// else one before it; "" when none within maxWalk (or the chain's
	// root came first).
	Last string
	// Unjudged are the commits between Last and C, oldest first (without
	// either).
	Unjudged  []string
	Bootstrap bool // the gate never kept an audit log here: Last is C's first parent
	Root      bool // the walk reached a commit without parents
	judged    map[string]map[string]RecordGrant
}

// ReadChain reads the audit log and walks commit's first-parent chain back
// to the last judged commit. parent is commit's first parent when the
// caller read it already ("" reads it). API calls: reading the log (see
// RecordedElevations), 1 per commit walked, and in a repository without
// an audit log 1 to make sure the gate never opened one. Without a seal
// key the records are taken unverified (Log.Recorded): a hint of what to
// catch up on, which a forged record can only shorten, and the attribution
// (Bind, which verifies) then finds the chain longer and unbinds.
func ReadChain(ctx context.Context, client *github.Client, t Trail, commit, parent string) (Chain, error) {
	l, err := readLedger(ctx, client, t)
	if err != nil {
		return Chain{}, err
	}
	ch := Chain{Commit: commit, judged: l.judged()}
	if len(l.Issues) == 0 {
		if ch.Bootstrap, err = neverLogged(ctx, client, t.Owner, t.Repo, l.Self); err != nil {
			return Chain{}, err
		}
	}
	cur := commit
	if ch.judged[strings.ToLower(commit)] != nil {
		// An earlier run of this commit judged it (a rerun): what it
		// attributed stands.
		ch.Last = commit
		return ch, nil
	}
	for i := 0; i < maxWalk; i++ {
		p := parent
		if i > 0 || p == "" {
			if p, err = prfacts.FirstParent(ctx, client, t.Owner, t.Repo, cur); err != nil {
				return Chain{}, err
			}
		}
		switch {
		case p == "":
			ch.Root = true
		case ch.judged[strings.ToLower(p)] != nil || ch.Bootstrap:
			ch.Last = p
		default:
			ch.Unjudged = append(ch.Unjudged, p)
			cur = p
			continue
		}
		break
	}
	if ch.Last == "" {
		ch.Unjudged = nil // not a window: the chain was not walked to its end
	}
	slices.Reverse(ch.Unjudged)
	return ch, nil
}

// judged maps each commit a usable apply-mode record judged (lowercase)
// to the requests it attributed, by address; a later record wins. A record
// spread over several comments counts only with every part: one part
// deleted would hide the requests it lists, which would then pass for new.
func (l *Log) judged() map[string]map[string]RecordGrant {
	parts := map[string]map[int]bool{} // by record id: the parts at hand
	for _, e := range l.Ledger {
		if l.usable(e) && e.rec.Parts > 0 {
			if parts[e.rid()] == nil {
				parts[e.rid()] = map[int]bool{}
			}
			parts[e.rid()][e.rec.Part] = true
		}
	}
	out := map[string]map[string]RecordGrant{}
	for _, e := range l.Ledger {
		if !l.usable(e) || e.rec.Kind != KindApply || e.rec.Commit == "" || (e.rec.Parts > 0 && len(parts[e.rid()]) != e.rec.Parts) {
			continue
		}
		c := strings.ToLower(e.rec.Commit)
		if out[c] == nil {
			out[c] = map[string]RecordGrant{}
		}
		for _, g := range e.rec.Grants {
			out[c][g.Address] = g
		}
	}
	return out
}

// neverLogged reports whether the gate's account never opened an audit-log
// issue in the repository, labelled or not: a label anyone may take away
// does not restart the induction.
func neverLogged(ctx context.Context, client *github.Client, owner, repo, self string) (bool, error) {
	issues, err := ghclient.All(func(o github.ListOptions) ([]*github.Issue, *github.Response, error) {
		return client.Issues.ListByRepo(ctx, owner, repo, &github.IssueListByRepoOptions{Creator: self, State: "all", ListOptions: o})
	})
	if err != nil {
		return false, fmt.Errorf("listing the issues %s opened in %s/%s: %w", self, owner, repo, ghclient.Explain(err))
	}
	return !slices.ContainsFunc(issues, func(is *github.Issue) bool { return !is.IsPullRequest() && is.GetTitle() == auditTitle }), nil
}

// BindRun is what Bind needs besides the plan's requests.
type BindRun struct {
	Trail
	Commit string // C, the commit judged
	Parent string // C's first parent, when already read
	PR     int    // the pull request merged as C; 0 when none
	Clock  clock.Clock
}

// Bind attributes each request to the pull request that introduced it (see
// above). A plan without requests reads nothing. API calls: ReadChain's,
// and 1 per commit between the last judged one and C to find the pull
// request merged as it (more while GitHub has not associated it yet).
func Bind(ctx context.Context, client *github.Client, run BindRun, requests []gate.Requested) (map[string]gate.Bound, error) {
	out := map[string]gate.Bound{}
	if len(requests) == 0 {
		return out, nil
	}
	if !run.Keys.CanVerify() {
		return nil, fmt.Errorf("apply mode attributes each elevation to the pull request that introduced it from the trusted audit records: %w", seal.ErrNoKey)
	}
	ch, err := ReadChain(ctx, client, run.Trail, run.Commit, run.Parent)
	if err != nil {
		return nil, err
	}
	var window *candidates
	for _, rq := range requests {
		if g, ok := ch.judged[strings.ToLower(ch.Last)][rq.Address]; ok && ch.Last != "" && rq.ContentKey != "" && g.ContentKey == rq.ContentKey {
			b := gate.Bound{PR: g.PR, Via: "attributed when commit " + ch.Last + " was judged"}
			if g.PR == 0 {
				b.Why = "when commit " + ch.Last + " was judged, this elevation could not be attributed to the one pull request that introduced it, and it has not changed since: " + again
			}
			out[rq.Address] = b
			continue
		}
		if window == nil {
			if window, err = classify(ctx, client, run, ch); err != nil {
				return nil, err
			}
		}
		out[rq.Address] = window.bound(ch)
	}
	return out, nil
}

// again is what to do about an elevation that cannot be attributed.
const again = "request it again in a new pull request (a changed reason or ticket makes it a new request), to be approved there"

// candidates are the commits (Last, C] by what made them.
type candidates struct {
	prs    []int    // pull requests merged as them, once each
	merges []string // their merge commits, alike
	pushes []string // commits no pull request's merge made
}

func classify(ctx context.Context, client *github.Client, run BindRun, ch Chain) (*candidates, error) {
	c := &candidates{}
	if ch.Last == "" || ch.Last == run.Commit {
		return c, nil
	}
	for _, sha := range append(slices.Clone(ch.Unjudged), run.Commit) {
		n := run.PR
		if sha != run.Commit || n == 0 {
			var err error
			n, err = prfacts.MergedPR(ctx, client, run.Clock, run.Owner, run.Repo, sha)
			if errors.Is(err, prfacts.ErrNoMergedPR) {
				c.pushes = append(c.pushes, sha)
				continue
			}
			if err != nil {
				return nil, err
			}
		}
		if !slices.Contains(c.prs, n) {
			c.prs, c.merges = append(c.prs, n), append(c.merges, sha)
		}
	}
	return c, nil
}

// bound is the attribution of a request new since ch.Last.
func (c *candidates) bound(ch Chain) gate.Bound {
	switch {
	case ch.Last == "" && ch.Root:
		return gate.Bound{Why: fmt.Sprintf("no trusted apply-mode record judged any commit before %s on its first-parent chain, so the gate cannot tell which pull request introduced this elevation: %s", ch.Commit, again)}
	case ch.Last == "":
		return gate.Bound{Why: fmt.Sprintf("no trusted apply-mode record judged any of the %d commits before %s on its first-parent chain, so the gate cannot tell which pull request introduced this elevation: "+
			"judge them first (the apply workflow's catch-up, jit-gate unjudged), or %s", maxWalk, ch.Commit, again)}
	case ch.Last == ch.Commit:
		return gate.Bound{Why: fmt.Sprintf("an earlier run judged commit %s without this elevation, so the gate cannot tell which pull request introduced it: %s", ch.Commit, again)}
	case len(c.prs) == 1 && len(c.pushes) == 0:
		return gate.Bound{PR: c.prs[0], Via: "merged as " + c.merges[0]}
	}
	var what []string
	if len(c.prs) > 0 {
		nums := make([]string, len(c.prs))
		for i, n := range c.prs {
			nums[i] = "#" + strconv.Itoa(n)
		}
		what = append(what, "pull requests "+strings.Join(nums, ", ")+" were merged")
	}
	if len(c.pushes) > 0 {
		what = append(what, "commit(s) "+strings.Join(c.pushes, ", ")+" were pushed without a pull request")
	}
	return gate.Bound{Why: fmt.Sprintf("since commit %s, the last the gate judged, %s, so the gate cannot tell which introduced this elevation: "+
		"judge each commit on its own first (the apply workflow's catch-up, jit-gate unjudged), or %s", ch.Last, strings.Join(what, " and "), again)}
}

// BindFacts attributes the requests of p (Bind) into facts, the facts of
// the run's pull request (run.PR), and reads the facts of the other pull
// requests they are attributed to.
func BindFacts(ctx context.Context, client *github.Client, run BindRun, p *plan.Plan, facts *gate.Facts) error {
	bound, err := Bind(ctx, client, run, gate.Requests(p))
	if err != nil {
		return err
	}
	var others []int
	for _, b := range bound {
		if b.PR != 0 && b.PR != facts.Number && !slices.Contains(others, b.PR) {
			others = append(others, b.PR)
		}
	}
	slices.Sort(others)
	if facts.PRs, err = prfacts.Others(ctx, client, run.Owner, run.Repo, others); err != nil {
		return err
	}
	facts.Bound = bound
	return nil
}
