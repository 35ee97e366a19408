package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/seal"
)

const earlierSHA = "4444444444444444444444444444444444444444"

// story is a trail of three records: pull request #2 granted carol
// (elev-old), pull request #1 granted mona (elev-new) and revoked carol's
// expired grant, then a scheduled run revoked mona's at expiry. The first
// two are copied to their pull requests.
type story struct {
	f     *githubfake.Fake
	c     *github.Client
	t     Trail
	log   int
	pr    int // #1
	state []Grant
}

func tell(t *testing.T, tr Trail, c *github.Client, f *githubfake.Fake, pr int) story {
	t.Helper()
	ctx := context.Background()
	carolPR := f.AddPullRequest("acme", "infra", githubfake.PullRequest{Author: "alice"})
	f.AddCommit("acme", "infra", carolPR, "5555555555555555555555555555555555555555", "alice", "alice")
	f.AddReview("acme", "infra", carolPR, "bob", "APPROVED", "5555555555555555555555555555555555555555")
	f.MergePR("acme", "infra", carolPR, earlierSHA)
	carol := applyPlan().Elevations[1].Before
	grantCarol := &plan.Plan{Policies: applyPlan().Policies, Elevations: []plan.ElevationChange{{Resource: res("carol"), Action: plan.ActionCreate,
		After: &policy.Elevation{PolicyID: "oncall", Principal: "carol", Scope: carol.Scope, Reason: carol.Reason, Duration: carol.Duration}}}}
	carolState := []Grant{{Address: "jit_elevation.carol", Elevation: *carol}}
	carolState[0].GrantedByCommit = earlierSHA

	steps := []RecordRun{
		{Plan: grantCarol, State: carolState, Mode: gate.ModeApply, Commit: earlierSHA},
		{Plan: applyPlan(), State: stateAfter(), Mode: gate.ModeApply, Commit: mergeSHA},
		{Plan: expiryOfMona(), State: monaExpired(), Mode: gate.ModeDrift, Commit: mainSHA},
	}
	for i, r := range steps {
		r.Trail, r.Outcome, r.Now = tr, OutcomeSuccess, applied.Add(time.Duration(i)*time.Hour)
		r.RunURL = fmt.Sprintf("https://github.com/acme/infra/actions/runs/%d", 10+i)
		if _, err := Write(ctx, c, r); err != nil {
			t.Fatal(err)
		}
	}
	s := story{f: f, c: c, t: tr, log: theLog(t, f), pr: pr, state: monaExpired()}
	if v := s.verify(t); len(v.Findings) != 0 || v.Records != 3 || v.Copies != 2 {
		t.Fatalf("the untouched story does not verify: %+v", v)
	}
	return s
}

// expiryOfMona is the drift plan that revokes mona's grant at expiry.
func expiryOfMona() *plan.Plan {
	p := applyPlan()
	before := monaActive()
	after := before
	after.Status, after.Unknown = policy.StatusExpired, []string{"history", "revoked_at"}
	p.Elevations = []plan.ElevationChange{{Resource: res("mona"), Action: plan.ActionUpdate, Changed: []string{"history", "revoked_at", "status"}, Before: &before, After: &after}}
	return p
}

func monaActive() policy.Elevation { return stateAfter()[1].Elevation }

func monaExpired() []Grant {
	s := stateAfter()
	s[1].Status, s[1].RevokedAt = policy.StatusExpired, "2026-03-01T12:00:09Z"
	return s
}

func newStory(t *testing.T) story {
	f, c, n := world(t)
	return tell(t, trail(t), c, f, n)
}

func (s story) verify(t *testing.T) Verification {
	t.Helper()
	l, err := ReadLog(context.Background(), s.c, s.t, []int{s.pr})
	if err != nil {
		t.Fatal(err)
	}
	return Verify(l, s.state)
}

func (s story) timeline(t *testing.T) []Grant {
	t.Helper()
	l, err := ReadLog(context.Background(), s.c, s.t, nil)
	if err != nil {
		t.Fatal(err)
	}
	return l.Timeline()
}

// problems lists the findings as "#number seq problem".
func problems(v Verification) []string {
	out := []string{}
	for _, f := range v.Findings {
		out = append(out, fmt.Sprintf("#%d %d %s", f.Number, f.Seq, f.Problem))
	}
	return out
}

func (s story) logged(t *testing.T) []githubfake.Comment { return s.f.Comments("acme", "infra", s.log) }

func (s story) client(t *testing.T, tok string) *github.Client { return clientFor(t, s.f, tok) }

func TestVerifyCleanTrail(t *testing.T) {
	s := newStory(t)
	s.f.ResetCalls()
	v := s.verify(t)
	// The labelled issues, the log's comments, the comments of the two
	// pull requests: 1 per 100 comments, whatever the number of grants.
	if calls := s.f.TotalCalls(); calls != 4 {
		t.Errorf("%d calls to verify: %v", calls, s.f.AllCalls())
	}
	md := v.Markdown()
	for _, want := range []string{"### ✅ jit-gate audit --verify: the trail checks", "Gate account: gatekeeper · Keys: " + seal.KeyID([]byte(sealKey)),
		"Records: 3 · Copies: 2 · Gate comments: 5 · State grants: 2"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	// The timeline from the records alone: both grants, both ended.
	grants := s.timeline(t)
	if len(grants) != 2 {
		t.Fatalf("timeline = %+v", grants)
	}
	carol, mona := grants[0], grants[1]
	if carol.Principal != "carol" || carol.Status != policy.StatusExpired || carol.RevokedAt != "2026-03-01T10:00:05Z" || carol.Seq != 1 || carol.PR != 2 ||
		!slices.Equal(carol.Approvers, []string{"bob"}) {
		t.Errorf("carol = %+v", carol)
	}
	if mona.Principal != "mona" || mona.Status != policy.StatusExpired || mona.RevokedAt != "2026-03-01T12:00:09Z" || mona.GrantedAt != "2026-03-01T10:00:03Z" ||
		mona.PR != s.pr || mona.Seq != 2 || !slices.Equal(mona.Approvers, []string{"bob"}) || mona.Reason != "pager storm on payments @lead" {
		t.Errorf("mona = %+v", mona)
	}
}

// Anyone with write access may edit any comment. An edit shows in
// updated_at; a forger who also recomputes the old sha256 gains nothing:
// only the key makes a seal.
func TestVerifyForgedRecordWithRecomputedSHA256(t *testing.T) {
	s := newStory(t)
	record := s.logged(t)[1] // mona's grant
	forged := strings.Replace(seal.Content(record.Body), "| no | bob |", "| no | bob, lead |", 1)
	forged = strings.Replace(forged, `"approved_by":["bob"]`, `"approved_by":["bob","lead"]`, 1)
	sum := sha256.Sum256([]byte(seal.Canonical(forged)))
	m, _ := seal.Parse(record.Body)
	delete(m.Extra, seal.FieldMAC)
	delete(m.Extra, seal.FieldKey)
	m.Version, m.Extra["sha256"] = seal.Legacy, hex.EncodeToString(sum[:])
	line, _ := m.Format()
	s.f.EditCommentAsUser(record.ID, "lead", line+"\n"+forged)

	// The edit, the intact copy that now says something else, and what
	// follows: mona's grant, in the state and revoked by record 3, has no
	// trusted record any more.
	want := []string{"#0 0 unrecorded_grant", "#1 2 copy_differs", fmt.Sprintf("#%d 2 edited", s.log), fmt.Sprintf("#%d 3 unrecorded_grant", s.log)}
	if got := problems(s.verify(t)); !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
	for _, g := range s.timeline(t) {
		if slices.Contains(g.Approvers, "lead") {
			t.Errorf("the forged approver was taken: %+v", g)
		}
	}

	// The same forgery as a new comment by the gate's own account (a
	// token that can write as it, without the key): no keyed seal.
	gate := s.client(t, token)
	if _, _, err := gate.Issues.CreateComment(context.Background(), "acme", "infra", s.log, &github.IssueComment{Body: github.String(line + "\n" + forged)}); err != nil {
		t.Fatal(err)
	}
	v := s.verify(t)
	if got := problems(v); !slices.Contains(got, fmt.Sprintf("#%d 2 unsealed", s.log)) {
		t.Errorf("findings %q", got)
	}
	if !strings.Contains(v.Markdown(), "| no keyed seal: its content cannot be vouched for |") {
		t.Errorf("markdown:\n%s", v.Markdown())
	}
}

// In GitHub Actions every workflow writes as github-actions[bot]: a pull
// request's workflow can post under the gate's own login, but not seal.
func TestVerifyRecordByAnotherWorkflowUnderTheSameLogin(t *testing.T) {
	f, _, n := world(t)
	perms := map[string]string{"contents": "read", "pull-requests": "write", "issues": "write"}
	f.AddActionsToken("ghs_apply", "acme", "infra", perms)
	f.AddActionsToken("ghs_pr", "acme", "infra", perms)
	tr := trail(t)
	tr.Identity = Identity{Trusted: ActionsBot}
	s := tell(t, tr, clientFor(t, f, "ghs_apply"), f, n)
	pr := s.client(t, "ghs_pr")
	ctx := context.Background()
	post := func(number int, body string) {
		t.Helper()
		c, _, err := pr.Issues.CreateComment(ctx, "acme", "infra", number, &github.IssueComment{Body: &body})
		if err != nil || c.GetUser().GetLogin() != ActionsBot {
			t.Fatalf("posting as the pull request's workflow: %v", err)
		}
	}
	record := s.logged(t)[1]
	m, _ := seal.Parse(record.Body)
	grantMallory := strings.ReplaceAll(seal.Content(record.Body), "mona", "mallory")

	// A record sealed with a key of its own, for the next position.
	own, _ := keyring(t, strings.Repeat("ee", 32), "").Seal(seal.Binding{Repo: "acme/infra", Number: s.log},
		seal.Marker{Kind: seal.KindRecord, Head: mergeSHA, Extra: map[string]string{seal.FieldSeq: "4", seal.FieldPrev: m.Extra[seal.FieldMAC], seal.FieldRID: "ab"}}, grantMallory)
	post(s.log, own)
	// The same, naming the gate's key.
	named := strings.Replace(own, "key="+seal.KeyID([]byte(strings.Repeat("ee", 32))), "key="+seal.KeyID([]byte(sealKey)), 1)
	post(s.log, named)
	// A valid record replayed: to the log again, and to another pull request.
	post(s.log, record.Body)
	post(2, record.Body)

	want := []string{
		"#2 2 bad_seal",
		fmt.Sprintf("#%d 4 unknown_key", s.log), fmt.Sprintf("#%d 4 bad_seal", s.log), fmt.Sprintf("#%d 2 out_of_order", s.log),
	}
	got := problems(s.verify(t))
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
	for _, g := range s.timeline(t) {
		if g.Principal == "mallory" {
			t.Errorf("a forged grant entered the timeline: %+v", g)
		}
	}
	// A check comment (informational, never read back) under the same
	// login is the gate's; mallory's with the gate's marker is not.
	check, _ := seal.Marker{Kind: seal.KindCheck, Head: prHead}.Format()
	post(n, check+"\n**Verdict: pass**")
	s.f.AddComment("acme", "infra", n, "mallory", check+"\n**Verdict: pass**")
	if got := problems(s.verify(t)); !slices.Contains(got, "#1 0 foreign") || slices.Contains(got, "#1 0 unsealed") {
		t.Errorf("findings %q", got)
	}
}

// Deleting a record leaves a gap in the trail, a copy without its record,
// or a grant without a record: each is found.
func TestVerifyDeletedRecord(t *testing.T) {
	ctx := context.Background()
	del := func(s story, id int64) {
		t.Helper()
		if _, err := s.client(t, "lead-token").Issues.DeleteComment(ctx, "acme", "infra", id); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("from the middle of the log", func(t *testing.T) {
		s := newStory(t)
		del(s, s.logged(t)[1].ID)
		want := []string{
			"#0 0 unrecorded_grant",                      // mona's grant, in the state
			"#1 2 not_in_log",                            // its copy stays on the pull request
			fmt.Sprintf("#%d 3 missing", s.log),          // the record after it: a gap
			fmt.Sprintf("#%d 3 unrecorded_grant", s.log), // which revokes a grant no record holds
		}
		if got := problems(s.verify(t)); !slices.Equal(got, want) {
			t.Errorf("findings %q, want %q", got, want)
		}
		// The timeline keeps what the revocation says of mona's grant, and
		// that nothing vouches for its approvers.
		grants := s.timeline(t)
		if len(grants) != 2 || grants[1].Principal != "mona" || grants[1].Record != RecordMissing || grants[1].GrantedAt != "2026-03-01T10:00:03Z" ||
			grants[1].RevokedAt != "2026-03-01T12:00:09Z" || len(grants[1].Approvers) != 0 {
			t.Errorf("timeline = %+v", grants)
		}
	})
	t.Run("the last records of the log", func(t *testing.T) {
		s := newStory(t)
		logged := s.logged(t)
		del(s, logged[2].ID)
		del(s, logged[1].ID)
		// Nothing follows them in the log, but the apply's record keeps
		// its copy on the pull request, and the state its grant.
		if got := problems(s.verify(t)); !slices.Equal(got, []string{"#0 0 unrecorded_grant", "#1 2 not_in_log"}) {
			t.Errorf("findings %q", got)
		}
	})
	t.Run("the copy on the pull request", func(t *testing.T) {
		s := newStory(t)
		del(s, s.f.Comments("acme", "infra", s.pr)[0].ID)
		if got := problems(s.verify(t)); !slices.Equal(got, []string{fmt.Sprintf("#%d 2 copy_missing", s.log)}) {
			t.Errorf("findings %q", got)
		}
	})
}

func TestVerifyOrderAndConcurrency(t *testing.T) {
	s := newStory(t)
	ctx := context.Background()
	// Two runs record at the same moment: both read the log's end, both
	// take the next position. That is no forgery, and the next record
	// chains to both.
	var writers []*writer
	for range 2 {
		w, err := openLedger(ctx, s.c, "acme", "infra", "gatekeeper", s.t.Keys, 0, applied)
		if err != nil {
			t.Fatal(err)
		}
		writers = append(writers, w)
	}
	for i, w := range writers {
		rec := Record{Kind: KindDrift, Repo: "acme/infra", Outcome: OutcomeSuccess, RecordedAt: applied, RunURL: fmt.Sprint(i),
			Unreviewed: []RecordFinding{{Address: "jit_elevation.x", Message: fmt.Sprint("finding ", i)}}}
		parts, _ := split(rec, 60000)
		if _, err := w.appendPart(ctx, rec.id(), "", seal.Marker{Kind: seal.KindRecord, Head: "none"}, parts[0].content, 0); err != nil {
			t.Fatal(err)
		}
	}
	next := run(t, revocationPlan(), stateAfter(), OutcomeSuccess, gate.ModeDrift, mainSHA)
	next.RunURL += "/again"
	got, err := Write(ctx, s.c, next)
	if err != nil {
		t.Fatal(err)
	}
	logged := s.logged(t)
	if len(logged) != 6 {
		t.Fatalf("%d records", len(logged))
	}
	m3, _ := seal.Parse(logged[3].Body)
	m4, _ := seal.Parse(logged[4].Body)
	if m3.Extra[seal.FieldSeq] != "4" || m4.Extra[seal.FieldSeq] != "4" || !slices.Equal(got.Seq, []int{5}) {
		t.Fatalf("concurrent records at %s and %s, the next at %v; want 4, 4, 5", m3.Extra[seal.FieldSeq], m4.Extra[seal.FieldSeq], got.Seq)
	}
	if m5, _ := seal.Parse(s.logged(t)[5].Body); m5.Extra[seal.FieldPrev] != m3.Extra[seal.FieldMAC]+"."+m4.Extra[seal.FieldMAC] {
		t.Errorf("the next record chains to %s", m5.Extra[seal.FieldPrev])
	}
	if v := s.verify(t); len(v.Findings) != 0 {
		t.Errorf("concurrent records: %q", problems(v))
	}

	// A record sealed for an earlier position, posted later, is out of order.
	rec := Record{Kind: KindDrift, Repo: "acme/infra", Outcome: OutcomeSuccess, RecordedAt: applied, Unreviewed: []RecordFinding{{Address: "x", Message: "late"}}}
	rec.normalize()
	line, _ := jsonLine(rec)
	m2, _ := seal.Parse(logged[1].Body)
	late, _ := s.t.Keys.Seal(seal.Binding{Repo: "acme/infra", Number: s.log},
		seal.Marker{Kind: seal.KindRecord, Head: "none", Extra: map[string]string{seal.FieldSeq: "3", seal.FieldPrev: m2.Extra[seal.FieldMAC], seal.FieldRID: rec.id()}}, "late\n\n"+line)
	s.f.AddComment("acme", "infra", s.log, "gatekeeper", late)
	if got := problems(s.verify(t)); !slices.Equal(got, []string{fmt.Sprintf("#%d 3 out_of_order", s.log)}) {
		t.Errorf("findings %q", got)
	}
}

// A record edited in place, even back to its own text, is no longer the
// record as posted; a key dropped from the keyring leaves its records
// unverifiable.
func TestVerifyEditedAndUnknownKey(t *testing.T) {
	s := newStory(t)
	first := s.logged(t)[0]
	s.f.EditCommentAsUser(first.ID, "lead", first.Body)
	want := []string{"#0 0 unrecorded_grant", fmt.Sprintf("#%d 1 edited", s.log), fmt.Sprintf("#%d 2 unrecorded_grant", s.log)}
	if got := problems(s.verify(t)); !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
	s = newStory(t)
	s.t.Keys = keyring(t, strings.Repeat("77", 32), "")
	want = []string{"#0 0 unrecorded_grant", "#0 0 unrecorded_grant", "#1 2 unknown_key", "#2 1 unknown_key",
		fmt.Sprintf("#%d 1 unknown_key", s.log), fmt.Sprintf("#%d 2 unknown_key", s.log), fmt.Sprintf("#%d 3 unknown_key", s.log)}
	if got := problems(s.verify(t)); !slices.Equal(got, want) {
		t.Errorf("findings with another key %q, want %q", got, want)
	}
	// Rotated properly, the old key listed: everything verifies.
	s.t.Keys = keyring(t, strings.Repeat("77", 32), sealKey)
	if got := problems(s.verify(t)); len(got) != 0 {
		t.Errorf("findings after rotation %q", got)
	}
}
