package audit

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/prfacts"
	"github.com/jitgate/terraform-provider-jit/internal/seal"
)

// Log is the audit trail as read from GitHub: every record comment on the
// audit-log issues, in order, the copies on pull requests, and every other
// comment carrying the gate's marker there. Nothing in it is trusted until
// checked: see trusted, and Verify for everything that is checked.
type Log struct {
	Self   string
	Issues []int   // the audit-log issues, oldest first
	Ledger []entry // record comments on them, in order
	// Unlabelled lists audit-log issues reached only through a sealed
	// record saying the log went on there: someone took their label away.
	Unlabelled []int
	PRs        []int           // pull requests read, in the order read
	Copies     map[int][]entry // record comments on each pull request
	Others     []Comment       // other gate-marked comments (check reports) on everything read
	keys       *seal.Keyring
}

// ReadLog reads the whole audit trail of t's repository: every audit-log
// issue (labelled, by the gate's account, and any a trusted record says the
// log went on in), then the pull requests the gate's records name and those
// in prs, each once.
func ReadLog(ctx context.Context, client *github.Client, t Trail, prs []int) (*Log, error) {
	l, err := readLedger(ctx, client, t)
	if err != nil {
		return nil, err
	}
	// The gate's records name the pull requests their copies are on; an
	// edited one still leads to its intact copy.
	for _, e := range l.Ledger {
		if strings.EqualFold(e.Author, l.Self) && e.err == nil {
			prs = append(prs, e.rec.copyTargets()...)
		}
	}
	for _, pr := range prs {
		if slices.Contains(l.PRs, pr) || slices.Contains(l.Issues, pr) {
			continue
		}
		l.PRs = append(l.PRs, pr)
		if l.Copies[pr], err = l.read(ctx, client, t, pr); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// read lists the gate-marked comments of number: its records are returned,
// the others kept in l.Others.
func (l *Log) read(ctx context.Context, client *github.Client, t Trail, number int) ([]entry, error) {
	comments, err := GateComments(ctx, client, t.Owner, t.Repo, number)
	if err != nil {
		return nil, err
	}
	var records []entry
	for _, c := range comments {
		if m, _ := seal.Parse(c.Body); m.Kind != seal.KindRecord {
			l.Others = append(l.Others, c)
			continue
		}
		records = append(records, readEntry(t.Keys, t.repo(), c))
	}
	return records, nil
}

// RecordedElevations reads the audit log and returns Log.Recorded: what
// the gate needs to tell whether removing an elevation loses its record.
// API calls: GET /user unless the gate's login is configured, 1 to list the
// audit-log issues, and 1 per 100 comments on them.
func RecordedElevations(ctx context.Context, client *github.Client, t Trail) (map[string]bool, error) {
	l, err := readLedger(ctx, client, t)
	if err != nil {
		return nil, err
	}
	return l.Recorded(), nil
}

// readLedger reads the audit-log issues.
func readLedger(ctx context.Context, client *github.Client, t Trail) (*Log, error) {
	self, err := GateLogin(ctx, client, t.Identity)
	if err != nil {
		return nil, err
	}
	issues, err := findLedger(ctx, client, t.Owner, t.Repo, self)
	if err != nil {
		return nil, err
	}
	l := &Log{Self: self, Copies: map[int][]entry{}, keys: t.Keys}
	queue := make([]int, 0, len(issues))
	for _, is := range issues {
		queue = append(queue, is.number)
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if slices.Contains(l.Issues, n) {
			continue
		}
		l.Issues = append(l.Issues, n)
		records, err := l.read(ctx, client, t, n)
		if err != nil {
			return nil, err
		}
		for _, e := range records {
			l.Ledger = append(l.Ledger, e)
			next := e.rec.ContinuedIn
			if !e.trusted(self) || e.rec.Kind != KindRotate || next <= 0 || slices.Contains(l.Issues, next) {
				continue
			}
			// The log goes on there: read it next, labelled or not.
			if !slices.ContainsFunc(issues, func(is ledgerIssue) bool { return is.number == next }) && !slices.Contains(l.Unlabelled, next) {
				l.Unlabelled = append(l.Unlabelled, next)
			}
			queue = append([]int{next}, slices.DeleteFunc(queue, func(q int) bool { return q == next })...)
		}
	}
	return l, nil
}

// trusted returns the records of the log the gate may rely on, in order.
func (l *Log) trusted() []entry {
	var out []entry
	for _, e := range l.Ledger {
		if e.trusted(l.Self) {
			out = append(out, e)
		}
	}
	return out
}

// MergedPRs returns the pull requests merged as the commits that granted
// the state's elevations (their granted_by_commit), each once: where a
// record of their grant should have a copy. Grants applied together share
// a commit, so the calls are 1 per distinct commit.
func MergedPRs(ctx context.Context, client *github.Client, owner, repo string, grants []Grant) ([]int, error) {
	var prs []int
	seen := map[string]bool{}
	for _, g := range grants {
		commit := strings.ToLower(g.GrantedByCommit)
		if commit == "" || seen[commit] {
			continue
		}
		seen[commit] = true
		pr, err := prfacts.FindMergedPR(ctx, client, owner, repo, commit)
		if errors.Is(err, prfacts.ErrNoMergedPR) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !slices.Contains(prs, pr) {
			prs = append(prs, pr)
		}
	}
	return prs, nil
}

// Recorded lists the elevation ids the trusted records hold a grant of (an
// apply's grant, or an archived elevation): the ones whose removal from the
// configuration loses nothing. Read without any seal key (a pull request's
// check, which is never given one), records by the gate's account that
// carry a keyed seal count unverified; the check before the apply, which
// holds the key, verifies them.
func (l *Log) Recorded() map[string]bool {
	out := map[string]bool{}
	for _, e := range l.Ledger {
		if !l.usable(e) {
			continue
		}
		for _, g := range e.rec.Grants {
			if g.ID != "" && (e.rec.Kind == KindArchive || e.rec.Outcome == OutcomeSuccess) {
				out[g.ID] = true
			}
		}
	}
	return out
}

// usable reports whether a record may be relied on as far as the keys at
// hand tell: trusted, or, read without any seal key, written by the gate's
// account with a keyed seal, unedited and readable (unverified).
func (l *Log) usable(e entry) bool {
	unverified := !l.keys.CanVerify() && e.status == seal.UnknownKey
	return e.trusted(l.Self) || (unverified && strings.EqualFold(e.Author, l.Self) && !e.edited() && e.err == nil && e.seq > 0)
}

// Untrusted counts the record comments of the log that cannot be relied on.
func (l *Log) Untrusted() int {
	n := 0
	for _, e := range l.Ledger {
		if !e.trusted(l.Self) {
			n++
		}
	}
	return n
}
