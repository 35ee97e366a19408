package gate

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
)

// On plans real Terraform made: destroying elevations (destroy.json), and
// forgetting one with `removed { lifecycle { destroy = false } }` beside
// two replacements (actions.json). A forgotten elevation, and a destroyed
// one that has ended, need a record of the grant they remove; destroying
// one that may hold its grant is a revocation and never waits. With the
// records read and holding them, the same plans pass this rule.
func TestAuditUnrecorded(t *testing.T) {
	for _, tc := range []struct {
		fixture string
		ended   bool     // the elevations had ended before the plan
		removed []string // addresses whose object leaves the state without a revocation
	}{
		{fixture: "destroy", ended: false, removed: nil},
		{fixture: "destroy", ended: true, removed: []string{"jit_elevation.hotfix", "jit_elevation.pager"}},
		{fixture: "actions", ended: false, removed: []string{"jit_elevation.handover"}},
		{fixture: "actions", ended: true, removed: []string{"jit_elevation.handover", "jit_elevation.hotfix", "jit_elevation.pager"}},
	} {
		t.Run(fmt.Sprintf("%s ended=%v", tc.fixture, tc.ended), func(t *testing.T) {
			p, err := plan.ReadFile("../../testdata/plans/" + tc.fixture + ".json")
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]string{}
			for _, ec := range p.Elevations {
				if ec.Before != nil {
					ids[ec.Address] = ec.Before.ID
					if tc.ended {
						ec.Before.Status, ec.Before.RevokedAt = policy.StatusExpired, "2026-03-01T12:00:00Z"
					}
				}
			}
			if got := NeedsOf(p, Options{Mode: ModeApply}, time.Now()).Records; got != (len(tc.removed) > 0) {
				t.Fatalf("Needs.Records = %v", got)
			}
			unrecorded := func(f Facts) []string {
				var out []string
				for _, v := range Evaluate(p, f, Options{Mode: ModeApply}).Violations {
					if v.Rule == RuleAuditUnrecorded {
						out = append(out, v.Address)
					}
				}
				return out
			}
			// The records could not be read: nothing says any is recorded.
			if got := unrecorded(Facts{}); !slices.Equal(got, tc.removed) {
				t.Errorf("records unread: %v, want %v", got, tc.removed)
			}
			if len(tc.removed) == 0 {
				return
			}
			// Read, holding none: every removal blocks, and says what to do.
			r := Evaluate(p, Facts{Recorded: map[string]bool{}}, Options{Mode: ModeApply})
			if got := unrecorded(Facts{Recorded: map[string]bool{}}); !slices.Equal(got, tc.removed) || !strings.Contains(messages(r), "run `jit-gate prune` to archive it first") {
				t.Errorf("no records: %v\n%s", got, messages(r))
			}
			// All but the first recorded: only the first blocks.
			recorded := map[string]bool{}
			for _, a := range tc.removed[1:] {
				recorded[ids[a]] = true
			}
			if got := unrecorded(Facts{Recorded: recorded}); !slices.Equal(got, tc.removed[:1]) {
				t.Errorf("%v recorded: %v", recorded, got)
			}
			recorded[ids[tc.removed[0]]] = true
			if got := unrecorded(Facts{Recorded: recorded}); len(got) != 0 {
				t.Errorf("all recorded: %v", got)
			}
		})
	}
	// A plan that removes nothing needs no records.
	p, err := plan.ReadFile("../../testdata/plans/expired.json")
	if err != nil {
		t.Fatal(err)
	}
	if NeedsOf(p, Options{Mode: ModeDrift}, time.Now()).Records {
		t.Error("an expiry needs the records")
	}
	if r := Evaluate(p, Facts{}, Options{Mode: ModeDrift}); slices.Contains(rules(r), RuleAuditUnrecorded) {
		t.Errorf("expiry: %v", rules(r))
	}
}
