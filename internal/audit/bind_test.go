package audit

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jitgate/terraform-provider-jit/internal/clock"
	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/seal"
)

// Attribution builds on the trusted records of the commits judged before:
// main is root, earlierSHA (pushed without a pull request) and mergeSHA
// (alice's pull request, approved).
func TestBind(t *testing.T) {
	f, c, pr := world(t)
	mona := gate.Requests(grantPlan())
	bindAt := func(t *testing.T, tr Trail, commit string, own int, rqs []gate.Requested) (map[string]gate.Bound, error) {
		t.Helper()
		return Bind(context.Background(), c, BindRun{Trail: tr, Commit: commit, PR: own, Clock: clock.NewVirtual(applied)}, rqs)
	}

	// No audit log yet: the induction starts at the merge's first parent.
	b, err := bindAt(t, trail(t), mergeSHA, pr, mona)
	if err != nil || b["jit_elevation.mona"].PR != pr {
		t.Fatalf("first run: %+v, %v", b, err)
	}
	if _, err := bindAt(t, Trail{Owner: "acme", Repo: "infra", Identity: Identity{Trusted: "gatekeeper"}}, mergeSHA, pr, mona); !errors.Is(err, seal.ErrNoKey) {
		t.Errorf("without the seal key: %v, want ErrNoKey", err)
	}

	// The direct push is judged first: mona's request, introduced there,
	// is unbound, and stays so at the merge after it, however approved.
	if _, err := Write(context.Background(), c, run(t, grantPlan(), nil, OutcomeSkipped, gate.ModeApply, earlierSHA)); err != nil {
		t.Fatal(err)
	}
	b, err = bindAt(t, trail(t), mergeSHA, pr, mona)
	if err != nil || b["jit_elevation.mona"].PR != 0 || !strings.Contains(b["jit_elevation.mona"].Why, "when commit "+earlierSHA+" was judged") {
		t.Fatalf("after the push: %+v, %v", b, err)
	}
	// Changed (a new reason), it is a new request: the merge's.
	changed := grantPlan()
	changed.Elevations[0].After.Reason = "another incident entirely, OPS-9"
	b, err = bindAt(t, trail(t), mergeSHA, pr, gate.Requests(changed))
	if err != nil || b["jit_elevation.mona"].PR != pr {
		t.Fatalf("changed: %+v, %v", b, err)
	}

	// A record mallory (write access, no seal key) posts claiming the push
	// was the approved pull request's changes nothing.
	log := theLog(t, f)
	body := f.Comments("acme", "infra", log)[0].Body
	f.AddComment("acme", "infra", log, "mallory", strings.ReplaceAll(body, `"pr":0`, `"pr":1`))
	if b, err = bindAt(t, trail(t), mergeSHA, pr, mona); err != nil || b["jit_elevation.mona"].PR != 0 {
		t.Errorf("with a forged record: %+v, %v", b, err)
	}

	// Deleting the push's record moves the last judged commit back past
	// the root: nothing can be attributed.
	f.ResetCalls()
	for _, cm := range f.Comments("acme", "infra", log) {
		if cm.Author == "gatekeeper" {
			if _, err := c.Issues.DeleteComment(context.Background(), "acme", "infra", cm.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if b, err = bindAt(t, trail(t), mergeSHA, pr, mona); err != nil || b["jit_elevation.mona"].PR != 0 || !strings.Contains(b["jit_elevation.mona"].Why, "no trusted apply-mode record judged any commit before") {
		t.Errorf("records deleted: %+v, %v", b, err)
	}
}

// A record in several parts judges its commit only with every part: a
// part deleted would hide the requests it lists, which would then pass for
// new since that commit.
func TestJudgedNeedsEveryPart(t *testing.T) {
	part := func(i, n int, address string) entry {
		return entry{Comment: Comment{Author: "gatekeeper"}, status: seal.Valid, seq: 1,
			marker: seal.Marker{Extra: map[string]string{seal.FieldRID: "r1"}},
			rec:    Record{Kind: KindApply, Commit: mergeSHA, Part: i, Parts: n, Grants: []RecordGrant{{Address: address, PR: 3}}}}
	}
	whole := &Log{Self: "gatekeeper", Ledger: []entry{part(1, 2, "jit_elevation.a"), part(2, 2, "jit_elevation.b")}}
	if j := whole.judged()[mergeSHA]; len(j) != 2 {
		t.Errorf("both parts: judged %v", j)
	}
	cut := &Log{Self: "gatekeeper", Ledger: []entry{part(2, 2, "jit_elevation.b")}}
	if j, ok := cut.judged()[mergeSHA]; ok {
		t.Errorf("a part missing: judged %v, want the commit unjudged", j)
	}
}
