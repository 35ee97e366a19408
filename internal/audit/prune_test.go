package audit

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/seal"
)

// Ended elevations are archived into the log, whole, before their blocks
// go; live ones never are. Archiving twice adds nothing.
func TestPrune(t *testing.T) {
	f, c, n := world(t)
	ctx := context.Background()
	// mona's grant is recorded; carol's predates the records, which only
	// hold its revocation.
	if _, err := Write(ctx, c, run(t, applyPlan(), stateAfter(), OutcomeSuccess, gate.ModeApply, mergeSHA)); err != nil {
		t.Fatal(err)
	}
	state := monaExpired()
	state[0].History = []policy.Event{{At: state[0].GrantedAt, Event: policy.EventGranted, Detail: "granted before the records"}}
	live := Grant{Address: "jit_elevation.dave", Elevation: policy.Elevation{ID: "elev-live", Principal: "dave", Scope: "github:team:acme/oncall",
		Status: policy.StatusActive, GrantedAt: "2026-03-01T11:00:00Z", ExpiresAt: "2026-03-01T13:00:00Z"}}
	state = append(state, live)
	pr := PruneRun{Trail: trail(t), State: state, Commit: mainSHA, Now: applied.Add(3 * time.Hour)}

	dry := pr
	dry.DryRun = true
	before := len(f.Comments("acme", "infra", theLog(t, f)))
	got, err := Prune(ctx, c, dry)
	if err != nil || len(got.Archived) != 2 || len(got.Live) != 1 || got.Live[0].ID != "elev-live" || len(f.Comments("acme", "infra", theLog(t, f))) != before {
		t.Fatalf("dry run: %+v, %v", got, err)
	}
	got, err = Prune(ctx, c, pr)
	if err != nil || len(got.Archived) != 2 || !slices.Equal(got.Recorded.Seq, []int{2}) || got.Recorded.PR != 0 {
		t.Fatalf("Prune = %+v, %v", got, err)
	}
	if !slices.Equal(got.Removable(), []string{"jit_elevation.carol", "jit_elevation.mona"}) {
		t.Errorf("removable %v", got.Removable())
	}
	rec := entries(t, f.Comments("acme", "infra", theLog(t, f))[1].Body)
	if rec.Kind != KindArchive || len(rec.Grants) != 2 {
		t.Fatalf("archive = %+v", rec)
	}
	carol, mona := rec.Grants[0], rec.Grants[1]
	if carol.ID != "elev-old" || carol.Status != policy.StatusExpired || carol.RevokedAt != "2026-03-01T10:00:05Z" || len(carol.ApprovedBy) != 0 ||
		len(carol.History) != 1 || carol.ContentKey != policy.ContentKey(&state[0].Elevation) {
		t.Errorf("carol archived as %+v", carol)
	}
	if mona.ID != "elev-new" || !slices.Equal(mona.ApprovedBy, []string{"bob"}) || mona.PR != n || mona.RevokedAt != "2026-03-01T12:00:09Z" {
		t.Errorf("mona archived as %+v", mona)
	}
	// Now both are in the trail with their end: nothing more to archive.
	got, err = Prune(ctx, c, pr)
	if err != nil || len(got.Archived) != 0 || len(got.Kept) != 2 || got.Recorded.Issue != 0 {
		t.Errorf("second Prune = %+v, %v", got, err)
	}
	// The whole story without the state: the records alone.
	l, err := ReadLog(ctx, c, trail(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	timeline := l.Timeline()
	if len(timeline) != 2 || timeline[0].Record != RecordArchived || timeline[0].RevokedAt == "" || timeline[1].Record != RecordIntact ||
		timeline[1].Status != policy.StatusExpired || timeline[1].Seq != 1 {
		t.Errorf("timeline = %+v", timeline)
	}
	recorded := l.Recorded()
	if !recorded["elev-old"] || !recorded["elev-new"] || recorded["elev-live"] {
		t.Errorf("recorded = %v", recorded)
	}
	if v := Verify(l, state); len(v.Findings) != 1 || v.Findings[0].Problem != ProblemUnrecorded || !strings.Contains(v.Findings[0].Detail, "elev-live") {
		t.Errorf("verify: %+v", v.Findings)
	}
}

// jit-gate revoke records what it took away as one record of the log.
func TestRecordRevocations(t *testing.T) {
	f, c, _ := world(t)
	ctx := context.Background()
	if got, err := RecordRevocations(ctx, c, trail(t), mainSHA, "", applied, nil); err != nil || got.Issue != 0 {
		t.Fatalf("nothing revoked: %+v, %v", got, err)
	}
	got, err := RecordRevocations(ctx, c, trail(t), mainSHA, "https://github.com/acme/infra/actions/runs/9", applied, []Revoked{{
		Address: "jit_elevation.mona", ID: "elev-new", Principal: "mona", Scope: "github:team:acme/oncall", Why: gate.RevokeExpired,
		GrantedAt: "2026-03-01T10:00:03Z", ExpiresAt: "2026-03-01T12:00:03Z", At: "2026-03-01T12:00:41Z",
	}})
	if err != nil || !slices.Equal(got.Seq, []int{1}) {
		t.Fatalf("RecordRevocations = %+v, %v", got, err)
	}
	rec := entries(t, f.Comments("acme", "infra", got.Issue)[0].Body)
	if rec.Kind != KindRevoke || len(rec.Revocations) != 1 || rec.Revocations[0].At != "2026-03-01T12:00:41Z" || rec.Revocations[0].ExpiresAt != "2026-03-01T12:00:03Z" {
		t.Errorf("record = %+v", rec)
	}
}

// A pull request's check is never given the seal key: it counts the
// gate's own keyed records unverified (the check before the apply verifies
// them), and never anything another account posted or an unkeyed record.
func TestRecordedWithoutKey(t *testing.T) {
	f, c, _ := world(t)
	ctx := context.Background()
	if _, err := Write(ctx, c, run(t, grantPlan(), stateAfter(), OutcomeSuccess, gate.ModeApply, mergeSHA)); err != nil {
		t.Fatal(err)
	}
	log := theLog(t, f)
	body := f.Comments("acme", "infra", log)[0].Body
	f.AddComment("acme", "infra", log, "mallory", strings.ReplaceAll(body, "elev-new", "elev-mallory"))
	v1 := strings.Replace(strings.ReplaceAll(body, "elev-new", "elev-unkeyed"), "<!-- jit-gate v2 ", "<!-- jit-gate v1 ", 1)
	f.AddComment("acme", "infra", log, "gatekeeper", v1)
	for _, tc := range []struct {
		name string
		keys *seal.Keyring
		want []string
	}{
		{"without a key", keyring(t, "", ""), []string{"elev-new"}},
		{"with the key", keyring(t, sealKey, ""), []string{"elev-new"}},
		{"with another key", keyring(t, strings.Repeat("99", 32), ""), nil},
	} {
		tr := trail(t)
		tr.Keys = tc.keys
		got, err := RecordedElevations(ctx, c, tr)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for id := range got {
			ids = append(ids, id)
		}
		if !slices.Equal(ids, tc.want) {
			t.Errorf("%s: recorded %v, want %v", tc.name, ids, tc.want)
		}
	}
}
