// Package audit is the audit trail, in one home: the records jit-gate
// writes after every apply, drift check, expiry and clean-up (built from
// the gate's judgement, rendered as markdown with their entries as one
// JSON line, sealed with a key and chained into one numbered sequence on
// the audit-log issues, copied to the merged pull request), the gate's
// comments and identity, and the auditor's side: who held which access,
// when, for how long, why, approved by whom and through which pull
// request, from the records alone or joined with a Terraform state,
// filtered by time window, principal and scope, in markdown, CSV and JSON,
// and the verification that nothing in the trail was forged, edited,
// moved or deleted.
package audit

import (
	"fmt"
	"io"
	"os"

	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
)

// Grant is one jit_elevation of the state and, once joined, the pull
// request that granted it.
type Grant struct {
	Address string
	policy.Elevation

	// Filled from the records (Join, Log.Timeline).
	PR        int      // the pull request the grant is attributed to; 0 unknown
	Approvers []string // as the record of its grant lists them
	Record    string   // what backs Approvers: recorded, archived, missing; "" when not joined
	Seq       int      // the position of that record in the trail; 0 when none
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
	sortGrants(grants)
	return grants, nil
}
