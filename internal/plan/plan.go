// Package plan reads `terraform show -json` output into the small typed model
// the gate needs: the provider's policies and elevations, the resource drift
// of every type, and which other resources change.
//
// It decodes only what the rules use, so a 10 MB plan of mostly unrelated
// resources costs little more than scanning it once.
package plan

import (
	"slices"
	"time"
)

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
	Changed []string // top-level attributes whose planned value differs from the prior one (unknown counts as differing)
	Before  *Policy  // nil when the object does not exist before
	After   *Policy  // nil when the object does not exist after
}

// Policy is a jit_optout_policy's values, with schema defaults applied so that
// comparisons see the thresholds in force.
type Policy struct {
	ID                    string
	Name                  string
	Scopes                []string
	MaxDuration           time.Duration
	RequiredApprovals     int
	Approvers             []string // logins and "team:ORG/SLUG"
	Requesters            []string // empty: anyone
	Reason                ReasonRule
	MaxActivePerPrincipal int // 0: unlimited
	BreakGlass            BreakGlass
	GovernanceApprovals   int // null in the plan: RequiredApprovals
	Standing              map[string]string
	Exclusive             bool
	Observed              map[string][]string
	Unknown               []string // top-level attributes unknown at plan time (After only)
}

// ReasonRule is the policy's reason block.
type ReasonRule struct {
	MinLength      int // null in the plan: DefaultReasonMinLength
	Pattern        string
	TicketRequired bool
	TicketPattern  string
}

// DefaultReasonMinLength is the schema default of reason.min_length.
const DefaultReasonMinLength = 20

// BreakGlass is the policy's break_glass block. A null block is disabled.
// Null limits inside an enabled block fall back to the policy's own
// (max_duration, required_approvals), so a missing number never lowers a bar.
type BreakGlass struct {
	Enabled           bool
	MaxDuration       time.Duration
	RequiredApprovals int
	ReviewWithin      time.Duration // 0: not set
}

// ElevationChange is one planned change of a jit_elevation.
type ElevationChange struct {
	Resource
	Action  Action
	Changed []string // as PolicyChange.Changed
	Before  *Elevation
	After   *Elevation
}

// Elevation is a jit_elevation's values.
type Elevation struct {
	ID              string
	PolicyID        string
	Principal       string
	Scope           string
	Reason          string
	Ticket          string
	Duration        time.Duration
	BreakGlass      bool
	Status          string // active, pending, expired, revoked; "" while unknown
	GrantedAt       string
	ExpiresAt       string
	RevokedAt       string // "" while null or unknown
	PreviousAccess  string
	GrantedByCommit string
	Unknown         []string // top-level attributes unknown at plan time (After only)
}

// Drift is one resource_drift entry: a change Terraform saw at refresh that
// was made outside Terraform.
type Drift struct {
	Resource
	Action     Action
	Attributes []string // top-level attributes whose value changed, sorted
}

// IsUnknown reports whether attribute name is unknown at plan time.
func (p *Policy) IsUnknown(name string) bool { return p != nil && slices.Contains(p.Unknown, name) }

// IsUnknown reports whether attribute name is unknown at plan time.
func (e *Elevation) IsUnknown(name string) bool { return e != nil && slices.Contains(e.Unknown, name) }
