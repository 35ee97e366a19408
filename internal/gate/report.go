package gate

import (
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/settings"
)

// Mode is the situation the gate runs in.
type Mode string

// Modes.
const (
	ModePR    Mode = "pr"    // a pull request's plan, judged against its reviews
	ModeApply Mode = "apply" // the plan about to be applied, judged against the merged PR's reviews
	ModeDrift Mode = "drift" // a scheduled check: drift blocks
)

// Review is one pull request review.
type Review struct {
	Login       string
	Bot         bool   // the author is a bot account (logins ending in "[bot]" are treated as bots too)
	State       string // APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED
	CommitID    string // the commit the review was given on
	SubmittedAt time.Time
}

// Review states that matter for counting.
const (
	StateApproved         = "APPROVED"
	StateChangesRequested = "CHANGES_REQUESTED"
	StateDismissed        = "DISMISSED"
	StateCommented        = "COMMENTED"
)

// Facts are the pull request facts the rules need, fetched once per run.
// The zero value means there is no pull request (e.g. drift mode): nothing is
// approved.
type Facts struct {
	HasPR       bool
	Number      int
	Author      string
	HeadSHA     string
	Reviews     []Review            // in submission order: the last decisive one per reviewer wins
	Committers  []string            // logins that authored or committed any commit of the PR
	Pushers     []string            // logins that pushed to the PR's head branch, as GitHub's activity names them
	TeamMembers map[string][]string // lowercase "org/slug" -> active member logins, for every team in TeamsNeeded
	Now         time.Time
	// Anchor is what jit-gate doctor found wrong with the repository, in
	// apply mode; nil when it was not checked, which trust.anchor blocks.
	Anchor *Anchor
	// PostHoc holds, in drift mode, the facts of the pull request merged as
	// each commit that BreakGlassCommits lists, by lowercase SHA (HasPR false:
	// the commit is no pull request's merge). nil when not fetched.
	PostHoc map[string]Facts
	// Recorded holds the ids of the elevations whose grant a trusted audit
	// record holds (see Needs.Records); nil when not read.
	Recorded map[string]bool
	// Files are the files the pull request changes, every page; FilesTotal
	// is how many GitHub counts, which is more than len(Files) when it
	// lists only its first 3000 (gate.trust then cannot tell).
	Files      []ChangedFile
	FilesTotal int
	// Held is what each principal of Needs.Held holds now at the team or
	// repository of its scope, as the effective level ("" for nothing), by
	// HeldKey. A request whose entry is missing cannot be told apart from
	// shadow access, and blocks.
	Held map[string]string
	// Bound attributes, in apply mode, each created or replaced elevation
	// (by address) to the pull request that introduced it; PRs holds the
	// facts of those pull requests other than Number's. A request missing
	// from Bound is unbound.
	Bound map[string]Bound
	PRs   map[int]Facts
}

// ChangedFile is one file a pull request changes, as GitHub lists it.
type ChangedFile struct {
	Path     string
	Previous string // the path before a rename; "" otherwise
	Status   string // added, removed, modified, renamed, ...
}

// Options configure a run.
type Options struct {
	Mode Mode
	// Settings are the trusted settings (settings.Default when the
	// repository has none). Their governance approvers approve creating a
	// policy (an existing policy is governed by its own approvers), changes
	// outside jit resources, escapes and changes to trusted files.
	Settings settings.Settings
	// AfterApply says the plan was applied already (jit-gate record): what
	// the principals held before it can no longer be read, so requests are
	// not judged on it; the check before the apply was.
	AfterApply bool
}

// Verdicts.
const (
	VerdictPass    = "pass"
	VerdictBlocked = "blocked"
	VerdictError   = "error"
)

// Rule ids (stable, from DESIGN.md).
const (
	RulePlanInvalid = "plan.invalid"
	// RuleCreateBeforeDestroy (added beside DESIGN's ids): an elevation
	// holding a grant is replaced with create_before_destroy.
	RuleCreateBeforeDestroy  = "plan.create_before_destroy"
	RulePolicyMissing        = "policy.missing"
	RulePolicyScope          = policy.RuleScope
	RulePolicyDuration       = policy.RuleDuration
	RulePolicyReason         = policy.RuleReason
	RulePolicyRequester      = policy.RuleRequester
	RulePolicyMaxActive      = "policy.max_active"
	RuleApprovalInsufficient = policy.RuleApprovals
	RuleApprovalVetoed       = "approval.vetoed"
	RulePolicyGovernance     = "policy.governance"
	RuleLoosenAndUse         = "policy.loosen_and_use"
	RuleDriftUnexpected      = "drift.unexpected"
	RuleBreakGlassUnreviewed = "break_glass.unreviewed"
	RuleAccessShadow         = "access.shadow"
	RulePlanUnguarded        = "plan.unguarded"
	RulePlanEscape           = "plan.escape"
	RuleAccessBypass         = "access.bypass"
	RuleGateTrust            = "gate.trust"
)

// Why an approval was not counted.
const (
	WhyAuthor      = "author"
	WhyPrincipal   = "principal"
	WhyStale       = "stale"
	WhyBot         = "bot"
	WhyNotApprover = "not_approver"
	WhyCommitter   = "committer"
	WhyPusher      = "pusher"
)

// Why an elevation's access goes away.
const (
	RevokeExpired   = "expired"
	RevokeDestroyed = "destroyed"
	RevokeDrift     = "drift"
	// RevokeUnreviewed (added beside DESIGN's): a break-glass grant whose
	// post-hoc review did not come within review_within.
	RevokeUnreviewed = "break_glass_unreviewed"
)

// Report is the gate's result: exactly the `--format json` object of DESIGN.md.
// Every slice is non-nil so it marshals as [], and every list is sorted.
type Report struct {
	Verdict        string            `json:"verdict"`
	Mode           string            `json:"mode"`
	HeadSHA        string            `json:"head_sha"`
	RevocationOnly bool              `json:"revocation_only"`
	Elevations     []ElevationReport `json:"elevations"`
	Policies       []PolicyReport    `json:"policies"`
	Revocations    []Revocation      `json:"revocations"`
	Drift          []DriftReport     `json:"drift"`
	Shadow         []ShadowAccess    `json:"shadow"`    // reported in every mode; violations in drift mode
	Unguarded      []Unguarded       `json:"unguarded"` // reported in every mode
	Violations     []Violation       `json:"violations"`
}

// Unguarded is a change that jit rules do not judge and that needs more
// than they do: a change of another resource type (but those allow_types
// lets be), a jit resource that may escape the trusted provider or GitHub,
// or a trusted file the pull request changes (Type "file").
type Unguarded struct {
	Address string `json:"address"`
	Type    string `json:"type"`
	Action  string `json:"action"`
	Why     string `json:"why"`
	// Rule is the gravest rule that judges it: plan.unguarded, gate.trust,
	// plan.escape or access.bypass.
	Rule string `json:"rule"`
	// ApprovalsRequired are the approvals from the settings' governance
	// approvers it needs; 0 for access.bypass, which no approval lifts.
	ApprovalsRequired int          `json:"approvals_required"`
	ApprovedBy        []string     `json:"approved_by"`
	NotCounted        []NotCounted `json:"not_counted"`
}

// ElevationReport describes one requested elevation (created or replaced).
// BreakGlass true flags it for post-hoc review.
type ElevationReport struct {
	Address           string       `json:"address"`
	Action            string       `json:"action"`
	Principal         string       `json:"principal"`
	Scope             string       `json:"scope"`
	Duration          string       `json:"duration"`
	Policy            string       `json:"policy"` // the policy_id as written
	BreakGlass        bool         `json:"break_glass"`
	ApprovalsRequired int          `json:"approvals_required"`
	ApprovedBy        []string     `json:"approved_by"`
	NotCounted        []NotCounted `json:"not_counted"`
	// Reason, Ticket and Approvers (the policy's) are for the people who
	// review it; ExpiresAt is set once the grant exists. For renderers; not
	// part of the JSON contract.
	Reason    string   `json:"-"`
	Ticket    string   `json:"-"`
	ExpiresAt string   `json:"-"`
	Approvers []string `json:"-"`
	// Overlaps are the elevations in force for the same principal and team
	// or repository: a request that extends them.
	Overlaps []OverlapReport `json:"overlaps"`
	// PR is the pull request it is judged on: in apply mode the one that
	// introduced it, 0 when none could be told (approval.unbound).
	PR int `json:"pr"`
}

// NotCounted is an approval that did not count, and why.
type NotCounted struct {
	Login string `json:"login"`
	Why   string `json:"why"`
}

// PolicyReport describes one governed policy change.
type PolicyReport struct {
	Address           string       `json:"address"`
	Action            string       `json:"action"`
	Loosened          []string     `json:"loosened"` // thresholds that got weaker, by attribute name ("reason.min_length")
	ApprovalsRequired int          `json:"approvals_required"`
	ApprovedBy        []string     `json:"approved_by"`
	NotCounted        []NotCounted `json:"-"` // for renderers; not part of the JSON contract
}

// Revocation is access that the plan takes away.
type Revocation struct {
	Address   string `json:"address"`
	Principal string `json:"principal"`
	Scope     string `json:"scope"`
	Why       string `json:"why"`
}

// DriftReport is one resource changed outside Terraform.
type DriftReport struct {
	Address    string   `json:"address"`
	Attributes []string `json:"attributes"`
}

// ShadowAccess is someone holding a policy's concrete scope with neither
// standing nor an elevation in force: a hidden admin path.
type ShadowAccess struct {
	Address   string `json:"address"` // the policy
	Scope     string `json:"scope"`
	Principal string `json:"principal"`
	// TokenAccount: the principal is one of the settings' token_accounts,
	// the provider's own identity. Reported, never a violation, never swept.
	TokenAccount bool `json:"token_account,omitempty"`
}

// Violation is one broken rule.
type Violation struct {
	Rule    string `json:"rule"`
	Address string `json:"address"`
	Message string `json:"message"`
}
