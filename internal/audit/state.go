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
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
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

type stateModule struct {
	Resources []struct {
		Address string          `json:"address"`
		Mode    string          `json:"mode"`
		Type    string          `json:"type"`
		Values  json.RawMessage `json:"values"`
	} `json:"resources"`
	ChildModules []stateModule `json:"child_modules"`
}

// ReadState reads `terraform show -json` output of a state (format 1.x) and
// returns every jit_elevation in the root module and all child modules,
// oldest grant first. An empty state has none; a plan is refused, since its
// prior state is not what was applied.
func ReadState(r io.Reader) ([]Grant, error) {
	var doc struct {
		FormatVersion string `json:"format_version"`
		Values        *struct {
			RootModule stateModule `json:"root_module"`
		} `json:"values"`
		PlannedValues   json.RawMessage `json:"planned_values"`
		ResourceChanges json.RawMessage `json:"resource_changes"`
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("state JSON: %w", err)
	}
	if dec.More() {
		return nil, errors.New("state JSON has trailing data after the top-level object")
	}
	switch major, _, _ := strings.Cut(doc.FormatVersion, "."); {
	case doc.PlannedValues != nil || doc.ResourceChanges != nil:
		return nil, errors.New("this is a plan, not a state: pass `terraform show -json` without a plan file")
	case doc.FormatVersion == "":
		return nil, errors.New("state JSON has no format_version: is it the output of `terraform show -json`?")
	case major != "1":
		return nil, fmt.Errorf("state format_version %q is not supported: jit-gate reads format 1.x", doc.FormatVersion)
	}
	grants := []Grant{}
	if doc.Values == nil {
		return grants, nil
	}
	var walk func(m stateModule) error
	walk = func(m stateModule) error {
		for _, res := range m.Resources {
			if res.Mode != "managed" || res.Type != plan.TypeElevation {
				continue
			}
			el, err := plan.DecodeElevation(res.Values)
			if err != nil {
				return fmt.Errorf("%s: %w", res.Address, err)
			}
			if el == nil {
				el = &policy.Elevation{}
			}
			if el.History == nil {
				el.History = []policy.Event{}
			}
			grants = append(grants, Grant{Address: res.Address, Elevation: *el, Approvers: []string{}})
		}
		for _, c := range m.ChildModules {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(doc.Values.RootModule); err != nil {
		return nil, err
	}
	slices.SortFunc(grants, func(a, b Grant) int {
		ta, _ := time.Parse(time.RFC3339, a.GrantedAt)
		tb, _ := time.Parse(time.RFC3339, b.GrantedAt)
		return cmp.Or(ta.Compare(tb), cmp.Compare(a.Address, b.Address))
	})
	return grants, nil
}
