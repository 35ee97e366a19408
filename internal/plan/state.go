package plan

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jitgate/terraform-provider-jit/internal/policy"
)

type stateModule struct {
	Resources []struct {
		Address string          `json:"address"`
		Mode    string          `json:"mode"`
		Type    string          `json:"type"`
		Values  json.RawMessage `json:"values"`
	} `json:"resources"`
	ChildModules []stateModule `json:"child_modules"`
}

// StateElevation is one jit_elevation of a state.
type StateElevation struct {
	Address string
	policy.Elevation
}

// ReadState reads `terraform show -json` output of a state (format 1.x) and
// returns every jit_elevation in the root module and all child modules, in
// the state's order, each with a non-nil History. An empty state has none; a
// plan is refused, since its prior state is not what was applied.
func ReadState(r io.Reader) ([]StateElevation, error) {
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
	out := []StateElevation{}
	if doc.Values == nil {
		return out, nil
	}
	var walk func(m stateModule) error
	walk = func(m stateModule) error {
		for _, res := range m.Resources {
			if res.Mode != "managed" || res.Type != TypeElevation {
				continue
			}
			el, err := DecodeElevation(res.Values)
			if err != nil {
				return fmt.Errorf("%s: %w", res.Address, err)
			}
			if el == nil {
				el = &policy.Elevation{}
			}
			if el.History == nil {
				el.History = []policy.Event{}
			}
			out = append(out, StateElevation{Address: res.Address, Elevation: *el})
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
	return out, nil
}
