package audit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/report"
	"github.com/jitgate/terraform-provider-jit/internal/seal"
)

// The audit log is the trail's spine: every record is a sealed comment on
// the audit-log issue, numbered (seq) in one sequence for the repository
// and chained to the record before it (prev), so a record deleted from the
// middle of the trail leaves a gap; a record of an apply is also copied,
// sealed for that place, to the merged pull request, where reviewers look,
// so deleting the last record of the log still leaves its copy, which
// --verify then finds without an entry.
//
// AuditLabel marks the audit-log issues. Anyone who may label issues could
// label another one: only the gate's own count, and only their sealed
// records are trusted.
const AuditLabel = "jit-audit"

// DefaultIssueLimit is how many comments GitHub lets an issue have: beyond
// it, commenting is disabled. The log continues in a new issue before.
const DefaultIssueLimit = 2500

const (
	auditTitle = "jit-gate audit log"
	auditBody  = "The audit trail of jit-gate: every apply, scheduled drift check and expiry records what it granted and revoked here, one sealed comment per record, numbered and chained to the record before. " +
		"Records of applies are copied to their pull request. `jit-gate audit` builds who held what, when, why and approved by whom from these records alone; " +
		"`jit-gate audit --verify` reports any record edited, forged, copied elsewhere, out of order or missing. " +
		"Keep this issue: the gate finds it by its label `" + AuditLabel + "` and its author."
)

// transient reports whether err may go away on a second try: a server
// error or a request that got no answer at all.
func transient(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var er *github.ErrorResponse
	if errors.As(err, &er) {
		return er.Response != nil && er.Response.StatusCode >= 500
	}
	var rl *ghclient.RateLimitError
	return !errors.As(err, &rl)
}

// full reports whether GitHub refused a comment because the issue has as
// many as it allows.
func full(err error) bool {
	var er *github.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusForbidden &&
		strings.Contains(er.Message, "Commenting is disabled")
}

// ledgerIssue is one audit-log issue.
type ledgerIssue struct {
	number   int
	comments int // everyone's, as GitHub counts them
}

// findLedger lists the audit-log issues, oldest first: open or closed,
// labelled AuditLabel and opened by self.
func findLedger(ctx context.Context, client *github.Client, owner, repo, self string) ([]ledgerIssue, error) {
	issues, err := ghclient.All(func(o github.ListOptions) ([]*github.Issue, *github.Response, error) {
		return client.Issues.ListByRepo(ctx, owner, repo, &github.IssueListByRepoOptions{
			Labels: []string{AuditLabel}, State: "all", Sort: "created", Direction: "asc", ListOptions: o,
		})
	})
	if err != nil {
		return nil, fmt.Errorf("listing issues labelled %s in %s/%s: %w", AuditLabel, owner, repo, ghclient.Explain(err))
	}
	var out []ledgerIssue
	for _, is := range issues {
		if !is.IsPullRequest() && strings.EqualFold(is.GetUser().GetLogin(), self) {
			out = append(out, ledgerIssue{number: is.GetNumber(), comments: is.GetComments()})
		}
	}
	return out, nil
}

// entry is one record comment: where it is, what its marker and seal say,
// and the record its JSON line holds.
type entry struct {
	Comment
	marker seal.Marker
	status seal.Status
	seq    int      // 0 when the marker has none that parses
	prev   []string // the seals it chains to; empty for the first record
	rec    Record
	err    error // why the JSON line could not be read
}

func (e entry) mac() string  { return e.marker.Extra[seal.FieldMAC] }
func (e entry) rid() string  { return e.marker.Extra[seal.FieldRID] }
func (e entry) part() string { return e.marker.Extra[seal.FieldPart] }

// noPrev is FieldPrev of the first record.
const noPrev = "none"

// readEntry checks a record comment's seal for where it is and reads it.
func readEntry(keys *seal.Keyring, repo string, c Comment) entry {
	e := entry{Comment: c}
	e.marker, e.status, _ = keys.Check(seal.Binding{Repo: repo, Number: c.Number}, c.Body)
	if n, err := strconv.Atoi(e.marker.Extra[seal.FieldSeq]); err == nil && n > 0 {
		e.seq = n
	}
	if p := e.marker.Extra[seal.FieldPrev]; p != "" && p != noPrev {
		e.prev = strings.Split(p, ".")
	}
	e.rec, e.err = parseLine(seal.Content(c.Body))
	return e
}

// trusted reports whether the entry is a record the gate may rely on: its
// own account wrote it, sealed for where it is with a known key, unedited,
// with a JSON line that reads.
func (e entry) trusted(self string) bool {
	return strings.EqualFold(e.Author, self) && e.status == seal.Valid && !e.edited() && e.err == nil && e.seq > 0
}

// writer appends records to the audit log and copies them to pull
// requests, never twice: before each post it looks for the record already
// there (by id and part), since a POST whose answer was lost may have
// landed.
type writer struct {
	client            *github.Client
	owner, repo, self string
	keys              *seal.Keyring
	limit             int // comments an issue may hold
	now               time.Time

	issues []ledgerIssue
	cur    int     // index in issues of the issue records go to; -1: none yet
	tail   []entry // trusted records at the end of the log, in order
}

// maxAttempts bounds the posts of one comment.
const maxAttempts = 3

func openLedger(ctx context.Context, client *github.Client, owner, repo, self string, keys *seal.Keyring, limit int, now time.Time) (*writer, error) {
	if limit <= 1 {
		limit = DefaultIssueLimit
	}
	w := &writer{client: client, owner: owner, repo: repo, self: self, keys: keys, limit: limit, now: now, cur: -1}
	var err error
	if w.issues, err = findLedger(ctx, client, owner, repo, self); err != nil {
		return nil, err
	}
	return w, w.readTail(ctx)
}

// readTail finds where the log ends: the newest audit-log issue holding a
// trusted record (or, if its last record says the log went on in another
// issue, that one), and the trusted records at its end. Issues are read
// from their last page back to one with a trusted record, so a long log
// costs a call or two; a newer issue without any (one opened after a crash,
// or by someone else who writes as the gate's account) costs one more.
func (w *writer) readTail(ctx context.Context) error {
	w.tail, w.cur = nil, len(w.issues)-1
	for i := len(w.issues) - 1; i >= 0; i-- {
		tail, err := w.issueTail(ctx, w.issues[i])
		if err != nil {
			return err
		}
		if len(tail) == 0 {
			continue
		}
		w.tail, w.cur = tail, i
		break
	}
	if n := len(w.tail); n > 0 && w.tail[n-1].rec.Kind == KindRotate {
		if i := slices.IndexFunc(w.issues, func(is ledgerIssue) bool { return is.number == w.tail[n-1].rec.ContinuedIn }); i >= 0 {
			w.cur = i
		}
	}
	return nil
}

// issueTail reads the trusted records at the end of one audit-log issue:
// from the page its comment count says is the last, on to any later page
// (comments posted since it was counted), then back while no page before
// the last position was reached.
func (w *writer) issueTail(ctx context.Context, is ledgerIssue) ([]entry, error) {
	start := max(1, (is.comments+ghclient.PerPage-1)/ghclient.PerPage)
	var tail []entry
	for page, more := start, true; more; page++ {
		comments, next, err := commentPage(ctx, w.client, w.owner, w.repo, is.number, page)
		if err != nil {
			return nil, err
		}
		tail, more = append(tail, w.trusted(comments)...), next
	}
	// Records posted at once share a position and may straddle pages:
	// stop only once a page holds something before the last position.
	for page := start - 1; page >= 1 && (len(tail) == 0 || tail[0].seq == tail[len(tail)-1].seq); page-- {
		comments, _, err := commentPage(ctx, w.client, w.owner, w.repo, is.number, page)
		if err != nil {
			return nil, err
		}
		tail = append(w.trusted(comments), tail...)
	}
	return tail, nil
}

// repo0 is OWNER/NAME, what seals bind.
func (w *writer) repo0() string { return w.owner + "/" + w.repo }

// position is the next record's seq and prev: one after the last trusted
// record, chained to every record at that last position (records posted at
// the same time by two runs share one).
func (w *writer) position() (int, string) {
	if len(w.tail) == 0 {
		return 1, noPrev
	}
	last := w.tail[len(w.tail)-1].seq
	var prev []string
	for _, e := range w.tail {
		if e.seq == last {
			prev = append(prev, e.mac())
		}
	}
	return last + 1, strings.Join(prev, ".")
}

// find returns the trusted record with id rid and part already in entries.
func find(entries []entry, rid, part string) (entry, bool) {
	for _, e := range entries {
		if e.rid() == rid && e.part() == part {
			return e, true
		}
	}
	return entry{}, false
}

// ensureIssue makes sure there is an issue to write to with room for n
// more comments and the rotation record, opening the next one (and
// recording on the full one where it goes on) when not.
func (w *writer) ensureIssue(ctx context.Context, n int) error {
	if w.cur >= 0 && w.issues[w.cur].comments+n+1 <= w.limit {
		return nil
	}
	var next ledgerIssue
	if last := len(w.issues) - 1; w.cur >= 0 && w.cur < last && w.issues[last].comments+n+1 <= w.limit {
		// An issue was opened after the end of the log and nothing went
		// there (the run that opened it stopped): the log goes on there.
		next = w.issues[last]
		w.issues = w.issues[:last]
	} else {
		title, body := auditTitle, auditBody
		if w.cur >= 0 {
			prev := w.issues[w.cur].number
			title = fmt.Sprintf("%s (continued from #%d)", auditTitle, prev)
			body = fmt.Sprintf("The audit log continues here from #%d, which reached the number of comments GitHub allows. %s", prev, auditBody)
		}
		is, _, err := w.client.Issues.Create(ctx, w.owner, w.repo, &github.IssueRequest{Title: &title, Body: &body, Labels: &[]string{AuditLabel}})
		if err != nil {
			return fmt.Errorf("opening an audit-log issue in %s/%s: %w", w.owner, w.repo, ghclient.Explain(err))
		}
		if len(is.Labels) == 0 {
			return fmt.Errorf("opening an audit-log issue in %s/%s: GitHub dropped its label %s, as it does for accounts without push access: the gate's account needs it", w.owner, w.repo, AuditLabel)
		}
		next = ledgerIssue{number: is.GetNumber()}
	}
	if w.cur >= 0 && w.issues[w.cur].comments < w.limit {
		rot := Record{Kind: KindRotate, Repo: w.repo0(), Outcome: OutcomeSuccess, RecordedAt: w.now, ContinuedIn: next.number}
		parts, err := split(rot, report.MaxCommentBytes-markerRoom)
		if err != nil {
			return err
		}
		if _, err := w.post(ctx, w.issues[w.cur].number, rot.id(), "", seal.Marker{Kind: seal.KindRecord, Head: "none"}, parts[0].content, true); err != nil && !full(err) {
			return err
		}
	}
	w.issues = append(w.issues, next)
	w.cur = len(w.issues) - 1
	return nil
}

// markerRoom is the room kept in every record comment for its sealed
// marker line: a few hundred bytes, and 65 for each record it chains to.
const markerRoom = 2048

// appendPart posts one part of a record (id rid) to the log, unless it is
// there already, and returns it as the log holds it. left counts the parts
// still to post after this one, for the room an issue needs.
func (w *writer) appendPart(ctx context.Context, rid, partNo string, m seal.Marker, content string, left int) (entry, error) {
	if e, ok := find(w.tail, rid, partNo); ok {
		return e, nil
	}
	for range maxAttempts {
		if err := w.ensureIssue(ctx, left+1); err != nil {
			return entry{}, err
		}
		e, err := w.post(ctx, w.issues[w.cur].number, rid, partNo, m, content, true)
		if full(err) {
			w.issues[w.cur].comments = w.limit // someone else filled it: go on in a new one
			continue
		}
		return e, err
	}
	return entry{}, fmt.Errorf("recording in %s/%s: GitHub refused every audit-log issue as full", w.owner, w.repo)
}

// post seals content at the log's next position (ledger) or at the place
// and position of a record already in the log (a copy, m carrying it), and
// posts it to number. A failed post is retried only after reading the
// comments again: if the first attempt landed, that comment is the answer.
func (w *writer) post(ctx context.Context, number int, rid, partNo string, m seal.Marker, content string, ledger bool) (entry, error) {
	extra := map[string]string{seal.FieldRID: rid}
	for k, v := range m.Extra {
		extra[k] = v
	}
	if partNo != "" {
		extra[seal.FieldPart] = partNo
	}
	var lastErr error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		if ledger {
			seq, prev := w.position()
			extra[seal.FieldSeq], extra[seal.FieldPrev] = strconv.Itoa(seq), prev
		}
		body, err := w.keys.Seal(seal.Binding{Repo: w.repo0(), Number: number}, seal.Marker{Kind: m.Kind, Head: m.Head, Extra: extra}, content)
		if err != nil {
			return entry{}, err
		}
		if len(body) > report.MaxCommentBytes {
			return entry{}, fmt.Errorf("record comment is %d bytes, over GitHub's %d", len(body), report.MaxCommentBytes)
		}
		c, err := addComment(ghclient.CallerRetries(ctx), w.client, w.owner, w.repo, number, body)
		if err == nil {
			e := readEntry(w.keys, w.repo0(), c)
			if ledger {
				w.tail = append(w.tail, e)
				w.issues[w.cur].comments++
			}
			return e, nil
		}
		if !transient(ctx, err) || attempt == maxAttempts {
			return entry{}, err
		}
		lastErr = err
		landed, rerr := w.landed(ctx, number, rid, partNo, ledger)
		if rerr != nil {
			return entry{}, errors.Join(err, rerr)
		}
		if landed != nil {
			return *landed, nil
		}
	}
	return entry{}, lastErr
}

// landed looks again at number for the comment a failed post may have made.
func (w *writer) landed(ctx context.Context, number int, rid, partNo string, ledger bool) (*entry, error) {
	if ledger {
		if err := w.readTail(ctx); err != nil {
			return nil, err
		}
		if e, ok := find(w.tail, rid, partNo); ok {
			return &e, nil
		}
		return nil, nil
	}
	copies, err := w.copies(ctx, number)
	if err != nil {
		return nil, err
	}
	if e, ok := find(copies, rid, partNo); ok {
		return &e, nil
	}
	return nil, nil
}

// copies reads the trusted records on a pull request.
func (w *writer) copies(ctx context.Context, pr int) ([]entry, error) {
	comments, err := GateComments(ctx, w.client, w.owner, w.repo, pr)
	if err != nil {
		return nil, err
	}
	return w.trusted(comments), nil
}

// trusted reads the comments' records and keeps those the gate may rely on.
func (w *writer) trusted(comments []Comment) []entry {
	var out []entry
	for _, c := range comments {
		if e := readEntry(w.keys, w.repo0(), c); e.trusted(w.self) {
			out = append(out, e)
		}
	}
	return out
}

// copyTo copies records of the log to pull request pr, each sealed for
// that place with the position it has in the log, unless already there.
func (w *writer) copyTo(ctx context.Context, pr int, entries []entry) (int, error) {
	have, err := w.copies(ctx, pr)
	if err != nil {
		return 0, err
	}
	posted := 0
	for _, e := range entries {
		if _, ok := find(have, e.rid(), e.part()); ok {
			continue
		}
		m := seal.Marker{Kind: e.marker.Kind, Head: e.marker.Head, Extra: map[string]string{}}
		for _, k := range []string{seal.FieldSeq, seal.FieldPrev, "outcome"} {
			if v, ok := e.marker.Extra[k]; ok {
				m.Extra[k] = v
			}
		}
		if _, err := w.post(ctx, pr, e.rid(), e.part(), m, seal.Content(e.Body), false); err != nil {
			return posted, err
		}
		posted++
	}
	return posted, nil
}
