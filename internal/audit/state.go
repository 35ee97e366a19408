// Package audit answers, from the repository alone, who held which access,
// when, for how long, why, approved by whom and through which pull request.
// It reads every jit_elevation of a Terraform state (`terraform show -json`)
// into grants with their timelines, joins the gate's record entries from
// GitHub, filters by time window, principal and scope, renders markdown, CSV
// and JSON, verifies that the gate's comments were not tampered with, and
// builds the entries `jit-gate record` posts after an apply.
package audit

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
)

// Grant is one jit_elevation of the state and, once joined, the pull
// request that granted it.
type Grant struct {
	Address string
	policy.Elevation

	// Filled by Join.
	PR        int      // the pull request merged as granted_by_commit; 0 unknown
	Approvers []string // as the gate's record entry lists them
	Record    string   // what backs Approvers: recorded, edited, unsealed, missing, no_pr, no_commit; "" when not joined
}

// ReadStateFile reads `terraform show -json` of a state; errors name the file.
func ReadStateFile(path string) ([]Grant, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read state: %w", err)
	}
	defer f.Close()
	grants, err := ReadState(f)
	if err != nil {
		return nil, fmt.Errorf("read state %s: %w", path, err)
	}
	return grants, nil
}

// ReadState reads `terraform show -json` output of a state (see
// plan.ReadState) and returns every jit_elevation, oldest grant first.
func ReadState(r io.Reader) ([]Grant, error) {
	elevations, err := plan.ReadState(r)
	if err != nil {
		return nil, err
	}
	grants := make([]Grant, len(elevations))
	for i, el := range elevations {
		grants[i] = Grant{Address: el.Address, Elevation: el.Elevation, Approvers: []string{}}
	}
	slices.SortFunc(grants, func(a, b Grant) int {
		ta, _ := time.Parse(time.RFC3339, a.GrantedAt)
		tb, _ := time.Parse(time.RFC3339, b.GrantedAt)
		return cmp.Or(ta.Compare(tb), cmp.Compare(a.Address, b.Address))
	})
	return grants, nil
}
