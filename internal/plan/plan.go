// Package plan reads `terraform show -json` output into the small typed model
// the gate needs: the provider's policies and elevations, the resource drift
// of every type, and which other resources change.
//
// It decodes only what the rules use, so a 10 MB plan of mostly unrelated
// resources costs little more than scanning it once.
package plan

import "github.com/jitgate/terraform-provider-jit/internal/policy"

// Resource types of this provider.
const (
	TypePolicy    = "jit_optout_policy"
	TypeElevation = "jit_elevation"
)

// Action is what the plan does to one resource instance, with Terraform's
// action lists folded into one word.
type Action string

// Actions. Terraform writes replace as ["delete","create"] or
// ["create","delete"]; forget comes from `removed` blocks with destroy = false.
const (
	ActionCreate  Action = "create"
	ActionUpdate  Action = "update"
	ActionDelete  Action = "delete"
	ActionReplace Action = "replace"
	// ActionReplaceCreateFirst is a replace with create_before_destroy: the
	// new object is created while the old one still exists.
	ActionReplaceCreateFirst Action = "replace-create-first"
	ActionNoOp               Action = "no-op"
	ActionRead               Action = "read"
	ActionForget             Action = "forget"        // removed from state, the object left in place
	ActionCreateForget       Action = "create-forget" // a new object created, the old one forgotten
)

// Plan is the part of a plan the gate reads.
type Plan struct {
	FormatVersion    string
	TerraformVersion string
	ResourceCount    int // resource_changes entries of every type and mode

	Policies   []PolicyChange    // every jit_optout_policy change, no-op included
	Elevations []ElevationChange // every jit_elevation change, no-op included
	Others     []Change          // changes of other managed types, no-op and read left out
	Drift      []Drift           // every resource_drift entry, of every type

	WholePlan // every change with its provider, access-granting values and the configuration (whole.go)

	// Saved is the saved plan file's configuration snapshot, when the
	// caller read it (ReadSavedConfig); nil when it did not.
	Saved *SavedConfig
}

// Resource identifies one resource instance.
type Resource struct {
	Address       string // e.g. module.a.module.b.jit_elevation.x["k"]
	ModuleAddress string // "" in the root module
	Mode          string // "managed" or "data"
	Type          string
	Name          string
	Index         string // JSON text of the instance key (`0`, `"k"`); "" without count/for_each
	Deposed       string // deposed object key; "" for the current object
}

// Change is a change of a resource type the gate does not model.
type Change struct {
	Resource
	Action Action
}

// PolicyChange is one planned change of a jit_optout_policy.
type PolicyChange struct {
	Resource
	Action  Action
	Changed []string       // top-level attributes whose planned value differs from the prior one (unknown counts as differing)
	Before  *policy.Policy // nil when the object does not exist before
	After   *policy.Policy // nil when the object does not exist after
}

// ElevationChange is one planned change of a jit_elevation.
type ElevationChange struct {
	Resource
	Action  Action
	Changed []string // as PolicyChange.Changed
	Before  *policy.Elevation
	After   *policy.Elevation
}

// Drift is one resource_drift entry: a change Terraform saw at refresh that
// was made outside Terraform.
type Drift struct {
	Resource
	Action     Action
	Attributes []string // top-level attributes whose value changed, sorted
}
