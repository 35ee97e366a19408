package gate

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
	"github.com/jitgate/terraform-provider-jit/internal/settings"
)

const head = "headsha"

func testPolicy(mods ...func(*policy.Policy)) *policy.Policy {
	p := &policy.Policy{
		ID: "admins", Name: "admins",
		Scopes:              []string{"github:repo:acme/*:admin", "github:team:acme/ops"},
		MaxDuration:         4 * time.Hour,
		RequiredApprovals:   1,
		Approvers:           []string{"bob", "team:acme/sec"},
		Reason:              policy.Reason{MinLength: 20},
		BreakGlass:          policy.BreakGlass{Enabled: true, MaxDuration: time.Hour, RequiredApprovals: 0, ReviewWithin: 24 * time.Hour},
		GovernanceApprovals: 1,
	}
	for _, m := range mods {
		m(p)
	}
	return p
}

func elevation(mods ...func(*policy.Elevation)) *policy.Elevation {
	e := &policy.Elevation{
		PolicyID: "admins", Principal: "alice", Scope: "github:repo:acme/api:admin",
		Reason: "investigate INC-1234 in production", Duration: 2 * time.Hour,
		Unknown: []string{"expires_at", "granted_at", "id", "status"},
	}
	for _, m := range mods {
		m(e)
	}
	return e
}

func res(typ, name string) plan.Resource {
	return plan.Resource{Address: typ + "." + name, Mode: "managed", Type: typ, Name: name}
}

func policyNoop(p *policy.Policy) plan.PolicyChange {
	return plan.PolicyChange{Resource: res(plan.TypePolicy, "admins"), Action: plan.ActionNoOp, Before: p, After: p}
}

func create(name string, el *policy.Elevation) plan.ElevationChange {
	return plan.ElevationChange{Resource: res(plan.TypeElevation, name), Action: plan.ActionCreate, After: el}
}

// scenario is the passing baseline: one unchanged policy, one requested
// elevation, one eligible approval on the head commit.
func scenario() (*plan.Plan, Facts) {
	p := &plan.Plan{
		Policies:   []plan.PolicyChange{policyNoop(testPolicy())},
		Elevations: []plan.ElevationChange{create("req", elevation())},
	}
	f := Facts{
		HasPR: true, Number: 7, Author: "carol", HeadSHA: head,
		Reviews:     []Review{{Login: "bob", State: StateApproved, CommitID: head}},
		Committers:  []string{"carol"},
		TeamMembers: map[string][]string{"acme/sec": {"Dave"}, "acme/oncall": {"alice"}},
		Anchor:      &Anchor{},                                      // a repository set up well (trust.anchor, apply mode)
		Bound:       map[string]Bound{"jit_elevation.req": {PR: 7}}, // introduced by this pull request (apply mode)
		// alice holds nothing at acme/api yet, as GitHub tells.
		Held: map[string]string{
			HeldKey("alice", scope.Scope{Kind: scope.KindRepo, Owner: "acme", Name: "api"}): "",
			HeldKey("alice", scope.Scope{Kind: scope.KindTeam, Owner: "acme", Name: "ops"}): "",
			HeldKey("bob", scope.Scope{Kind: scope.KindRepo, Owner: "acme", Name: "api"}):   "pull",
		},
	}
	return p, f
}

// governedBy is the default settings with these governance approvers.
func governedBy(approvers ...string) settings.Settings {
	s := settings.Default("test settings")
	s.GovernanceApprovers = approvers
	return s
}

func rules(r Report) []string {
	out := []string{}
	for _, v := range r.Violations {
		out = append(out, v.Rule)
	}
	return out
}

func messages(r Report) string {
	var b strings.Builder
	for _, v := range r.Violations {
		fmt.Fprintf(&b, "%s %s: %s\n", v.Rule, v.Address, v.Message)
	}
	return b.String()
}

func firstElevation(p *plan.Plan) *policy.Elevation { return p.Elevations[0].After }

func setPolicy(p *plan.Plan, mods ...func(*policy.Policy)) {
	p.Policies[0] = policyNoop(testPolicy(mods...))
}

func review(login, state, commit string) Review {
	return Review{Login: login, State: state, CommitID: commit}
}

func TestElevationRules(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(*plan.Plan, *Facts)
		want    []string // violated rules, sorted
		message string   // a substring of the messages, when set
	}{
		{name: "baseline passes"},

		{name: "policy.missing: unknown policy_id", want: []string{RulePolicyMissing},
			setup:   func(p *plan.Plan, f *Facts) { firstElevation(p).PolicyID = "nope" },
			message: `policy_id "nope" matches no jit_optout_policy`},
		{name: "policy.missing: policy deleted", want: []string{RulePolicyMissing},
			setup: func(p *plan.Plan, f *Facts) {
				p.Policies[0].Action, p.Policies[0].After = plan.ActionDelete, nil
			},
			message: "which this plan removes"},
		{name: "policy.missing: policy absent", want: []string{RulePolicyMissing},
			setup: func(p *plan.Plan, f *Facts) { p.Policies = nil }},
		{name: "policy referenced by id in a module passes",
			setup: func(p *plan.Plan, f *Facts) {
				p.Policies[0].Address = `module.a.module.b.jit_optout_policy.x["k"]`
				p.Policies[0].After = testPolicy(func(p *policy.Policy) { p.ID, p.Name = "pid", "pname" })
				firstElevation(p).PolicyID = "pname"
			}},

		{name: "policy.scope: other wildcard match passes",
			setup: func(p *plan.Plan, f *Facts) { firstElevation(p).Scope = "github:team:ACME/ops" }},
		{name: "policy.scope: outside the policy", want: []string{RulePolicyScope},
			setup:   func(p *plan.Plan, f *Facts) { firstElevation(p).Scope = "github:repo:other/api:admin" },
			message: `scope "github:repo:other/api:admin" is not allowed by policy "admins" scopes`},
		{name: "policy.scope: malformed scope", want: []string{RulePolicyScope},
			setup: func(p *plan.Plan, f *Facts) { firstElevation(p).Scope = "github:repo:acme/api" }},

		{name: "policy.duration: at the limit passes",
			setup: func(p *plan.Plan, f *Facts) { firstElevation(p).Duration = 4 * time.Hour }},
		{name: "policy.duration: over max_duration", want: []string{RulePolicyDuration},
			setup:   func(p *plan.Plan, f *Facts) { firstElevation(p).Duration = 12 * time.Hour },
			message: `duration 12h exceeds policy "admins" max_duration 4h`},
		{name: "policy.duration: over the hard ceiling", want: []string{RulePolicyDuration},
			setup: func(p *plan.Plan, f *Facts) {
				setPolicy(p, func(p *policy.Policy) { p.MaxDuration = 1000 * time.Hour })
				firstElevation(p).Duration = 200 * time.Hour
			},
			message: "hard ceiling of 168h"},

		{name: "policy.reason: short reason", want: []string{RulePolicyReason},
			setup:   func(p *plan.Plan, f *Facts) { firstElevation(p).Reason = "because" },
			message: `reason is 7 visible characters, below policy "admins" reason.min_length 20`},
		{name: "policy.reason: padding does not count", want: []string{RulePolicyReason},
			setup: func(p *plan.Plan, f *Facts) { firstElevation(p).Reason = "because" + strings.Repeat(" ", 30) }},
		{name: "policy.reason: pattern matches",
			setup: func(p *plan.Plan, f *Facts) {
				setPolicy(p, func(p *policy.Policy) { p.Reason.Pattern = `INC-\d+` })
			}},
		{name: "policy.reason: pattern does not match", want: []string{RulePolicyReason},
			setup: func(p *plan.Plan, f *Facts) {
				setPolicy(p, func(p *policy.Policy) { p.Reason.Pattern = `JIRA-\d+` })
			},
			message: `does not match policy "admins" reason.pattern`},
		{name: "policy.reason: ticket given as required",
			setup: func(p *plan.Plan, f *Facts) {
				setPolicy(p, func(p *policy.Policy) { p.Reason.TicketRequired, p.Reason.TicketPattern = true, `^OPS-\d+$` })
				firstElevation(p).Ticket = "OPS-42"
			}},
		{name: "policy.reason: ticket missing", want: []string{RulePolicyReason},
			setup: func(p *plan.Plan, f *Facts) {
				setPolicy(p, func(p *policy.Policy) { p.Reason.TicketRequired = true })
			},
			message: "reason.ticket_required"},
		{name: "policy.reason: ticket does not match", want: []string{RulePolicyReason},
			setup: func(p *plan.Plan, f *Facts) {
				setPolicy(p, func(p *policy.Policy) { p.Reason.TicketPattern = `^OPS-\d+$` })
				firstElevation(p).Ticket = "see slack"
			}},

		{name: "policy.requester: member of a requester team",
			setup: func(p *plan.Plan, f *Facts) {
				setPolicy(p, func(p *policy.Policy) { p.Requesters = []string{"zed", "team:ACME/oncall"} })
			}},
		{name: "policy.requester: listed directly, other case",
			setup: func(p *plan.Plan, f *Facts) {
				setPolicy(p, func(p *policy.Policy) { p.Requesters = []string{"ALICE"} })
			}},
		{name: "policy.requester: not a requester", want: []string{RulePolicyRequester},
			setup: func(p *plan.Plan, f *Facts) {
				setPolicy(p, func(p *policy.Policy) { p.Requesters = []string{"zed", "team:acme/sec"} })
			},
			message: `principal "alice" is not among policy "admins" requesters`},
		{name: "policy.requester: invalid login", want: []string{RulePolicyRequester},
			setup: func(p *plan.Plan, f *Facts) { firstElevation(p).Principal = "-alice" }},

		{name: "policy.max_active: other elevation expired or deleted",
			setup: func(p *plan.Plan, f *Facts) {
				setPolicy(p, func(p *policy.Policy) { p.MaxActivePerPrincipal = 1 })
				old := elevation(func(e *policy.Elevation) { e.Status, e.Unknown = "expired", nil })
				gone := elevation(func(e *policy.Elevation) { e.Status, e.Unknown = "active", nil })
				p.Elevations = append(p.Elevations,
					plan.ElevationChange{Resource: res(plan.TypeElevation, "old"), Action: plan.ActionNoOp, Before: old, After: old},
					plan.ElevationChange{Resource: res(plan.TypeElevation, "gone"), Action: plan.ActionDelete, Before: gone})
			}},
		{name: "policy.max_active: one already active", want: []string{RuleOverlap, RulePolicyMaxActive},
			setup: func(p *plan.Plan, f *Facts) {
				setPolicy(p, func(p *policy.Policy) { p.MaxActivePerPrincipal = 1 })
				cur := elevation(func(e *policy.Elevation) { e.Status, e.Principal, e.Unknown = "pending", "ALICE", nil })
				p.Elevations = append(p.Elevations,
					plan.ElevationChange{Resource: res(plan.TypeElevation, "cur"), Action: plan.ActionNoOp, Before: cur, After: cur})
			},
			message: `principal "alice" would hold 2 active elevations under policy "admins", above max_active_per_principal 1`},

		{name: "approval: team approver counts",
			setup: func(p *plan.Plan, f *Facts) { f.Reviews = []Review{review("dave", StateApproved, head)} }},
		{name: "approval: none", want: []string{RuleApprovalInsufficient},
			setup:   func(p *plan.Plan, f *Facts) { f.Reviews = nil },
			message: `0 of 1 required approvals from policy "admins" approvers`},
		{name: "approval: no pull request", want: []string{RuleApprovalInsufficient},
			setup: func(p *plan.Plan, f *Facts) { *f = Facts{} }},
		{name: "approval: stale", want: []string{RuleApprovalInsufficient},
			setup: func(p *plan.Plan, f *Facts) { f.Reviews = []Review{review("bob", StateApproved, "old")} }},
		{name: "approval: author", want: []string{RuleApprovalInsufficient},
			setup: func(p *plan.Plan, f *Facts) { f.Author = "BOB" }},
		{name: "approval: principal", want: []string{RuleApprovalInsufficient},
			setup: func(p *plan.Plan, f *Facts) { firstElevation(p).Principal = "bob" }},
		{name: "approval: committer", want: []string{RuleApprovalInsufficient},
			setup: func(p *plan.Plan, f *Facts) { f.Committers = append(f.Committers, "bob") }},
		{name: "approval: bot", want: []string{RuleApprovalInsufficient},
			setup: func(p *plan.Plan, f *Facts) { f.Reviews[0].Bot = true }},
		{name: "approval: not an approver", want: []string{RuleApprovalInsufficient},
			setup: func(p *plan.Plan, f *Facts) { f.Reviews = []Review{review("mallory", StateApproved, head)} }},
		{name: "approval: latest decisive review wins, comments ignored",
			setup: func(p *plan.Plan, f *Facts) {
				f.Reviews = []Review{review("bob", StateChangesRequested, "old"), review("Bob", StateApproved, head), review("bob", StateCommented, head)}
			}},
		{name: "approval: dismissed approval", want: []string{RuleApprovalInsufficient},
			setup: func(p *plan.Plan, f *Facts) {
				f.Reviews = append(f.Reviews, review("bob", StateDismissed, head))
			}},
		{name: "approval.vetoed: changes requested by an approver", want: []string{RuleApprovalVetoed},
			setup: func(p *plan.Plan, f *Facts) {
				f.Reviews = append(f.Reviews, review("dave", StateChangesRequested, "old"))
			},
			message: `dave, an approver of policy "admins", requested changes`},
		{name: "approval.vetoed: changes requested by a non-approver do not veto",
			setup: func(p *plan.Plan, f *Facts) {
				f.Reviews = append(f.Reviews, review("mallory", StateChangesRequested, head))
			}},

		{name: "break_glass: within break-glass limits with zero approvals",
			setup: func(p *plan.Plan, f *Facts) {
				f.Reviews = nil
				firstElevation(p).BreakGlass, firstElevation(p).Duration = true, time.Hour
			}},
		{name: "break_glass: policy does not enable it", want: []string{RuleApprovalInsufficient},
			setup: func(p *plan.Plan, f *Facts) {
				setPolicy(p, func(p *policy.Policy) { p.BreakGlass = policy.BreakGlass{} })
				firstElevation(p).BreakGlass = true
			},
			message: `policy "admins" does not enable break_glass`},
		{name: "break_glass: over break_glass.max_duration", want: []string{RulePolicyDuration},
			setup:   func(p *plan.Plan, f *Facts) { firstElevation(p).BreakGlass = true },
			message: `duration 2h exceeds policy "admins" break_glass.max_duration 1h`},
		{name: "break_glass: break-glass approvals", want: []string{RuleApprovalInsufficient},
			setup: func(p *plan.Plan, f *Facts) {
				setPolicy(p, func(p *policy.Policy) { p.BreakGlass.RequiredApprovals = 2 })
				firstElevation(p).BreakGlass, firstElevation(p).Duration = true, time.Hour
			},
			message: "1 of 2 required break-glass approvals"},

		{name: "unknown: principal unknown at plan time", want: []string{RulePolicyRequester},
			setup: func(p *plan.Plan, f *Facts) {
				el := firstElevation(p)
				el.Principal, el.Unknown = "", append(el.Unknown, "principal")
			}},
		{name: "unknown: policy scopes unknown", want: []string{RulePolicyScope},
			setup: func(p *plan.Plan, f *Facts) {
				setPolicy(p, func(p *policy.Policy) { p.Unknown = []string{"scopes"} })
			}},

		{name: "forget: an active elevation", want: []string{RulePolicyDuration},
			setup: func(p *plan.Plan, f *Facts) {
				cur := elevation(func(e *policy.Elevation) { e.Status, e.Unknown = "active", nil })
				p.Elevations = append(p.Elevations, plan.ElevationChange{Resource: res(plan.TypeElevation, "cur"), Action: plan.ActionForget, Before: cur})
			},
			message: "nothing to expire it"},
		{name: "forget: an expired elevation",
			setup: func(p *plan.Plan, f *Facts) {
				cur := elevation(func(e *policy.Elevation) { e.Status, e.Unknown = "expired", nil })
				p.Elevations = append(p.Elevations, plan.ElevationChange{Resource: res(plan.TypeElevation, "cur"), Action: plan.ActionForget, Before: cur})
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, f := scenario()
			if tt.setup != nil {
				tt.setup(p, &f)
			}
			r := Evaluate(p, f, Options{Mode: ModePR})
			got := rules(r)
			want := tt.want
			if want == nil {
				want = []string{}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("rules = %v, want %v\n%s", got, want, messages(r))
			}
			if tt.message != "" && !strings.Contains(messages(r), tt.message) {
				t.Errorf("messages do not contain %q:\n%s", tt.message, messages(r))
			}
			if wantVerdict := map[bool]string{true: VerdictPass, false: VerdictBlocked}[len(want) == 0]; r.Verdict != wantVerdict {
				t.Errorf("verdict = %q, want %q", r.Verdict, wantVerdict)
			}
		})
	}
}

func TestNotCounted(t *testing.T) {
	p, f := scenario()
	f.Author = "carol"
	f.Committers = []string{"carol", "erin"}
	f.Reviews = []Review{
		review("carol", StateApproved, head),
		review("alice", StateApproved, head),
		review("erin", StateApproved, head),
		{Login: "renovate[bot]", State: StateApproved, CommitID: head},
		review("mallory", StateApproved, head),
		review("dave", StateApproved, "old"),
		review("bob", StateApproved, head),
	}
	r := Evaluate(p, f, Options{Mode: ModePR})
	if len(r.Elevations) != 1 {
		t.Fatalf("elevations = %+v", r.Elevations)
	}
	got := r.Elevations[0]
	want := []NotCounted{
		{"alice", WhyPrincipal}, {"carol", WhyAuthor}, {"dave", WhyStale},
		{"erin", WhyCommitter}, {"mallory", WhyNotApprover}, {"renovate[bot]", WhyBot},
	}
	if !slices.Equal(got.NotCounted, want) || !slices.Equal(got.ApprovedBy, []string{"bob"}) {
		t.Errorf("approved_by %v, not_counted %v; want [bob], %v", got.ApprovedBy, got.NotCounted, want)
	}
	if got.Duration != "2h" || got.Principal != "alice" || got.Policy != "admins" || got.ApprovalsRequired != 1 || got.Action != "create" {
		t.Errorf("report = %+v", got)
	}
}

func TestGovernance(t *testing.T) {
	update := func(mods ...func(*policy.Policy)) func(*plan.Plan, *Facts) {
		return func(p *plan.Plan, f *Facts) {
			p.Elevations = nil
			p.Policies[0].Action = plan.ActionUpdate
			p.Policies[0].After = testPolicy(mods...)
			p.Policies[0].Changed = []string{"description"}
		}
	}
	tests := []struct {
		name     string
		setup    func(*plan.Plan, *Facts)
		opts     Options
		want     []string
		message  string
		required int
	}{
		{name: "update approved by an approver as before", setup: update(), required: 1},
		{name: "update without approval", want: []string{RulePolicyGovernance}, required: 1,
			setup:   func(p *plan.Plan, f *Facts) { update()(p, f); f.Reviews = nil },
			message: `0 of 1 required governance_approvals to update policy "admins" from approvers of policy "admins" as it was before`},
		{name: "approver added by the change does not count", want: []string{RulePolicyGovernance}, required: 1,
			setup: func(p *plan.Plan, f *Facts) {
				update(func(p *policy.Policy) { p.Approvers = append(p.Approvers, "mallory") })(p, f)
				f.Reviews = []Review{review("mallory", StateApproved, head)}
			}},
		{name: "the larger governance_approvals applies", want: []string{RulePolicyGovernance}, required: 3,
			setup: update(func(p *policy.Policy) { p.GovernanceApprovals = 3 })},
		{name: "delete needs governance too", want: []string{RulePolicyGovernance}, required: 1,
			setup: func(p *plan.Plan, f *Facts) {
				p.Elevations = nil
				p.Policies[0].Action, p.Policies[0].After = plan.ActionDelete, nil
				f.Reviews = nil
			}},
		{name: "vetoed by an approver as before", want: []string{RuleApprovalVetoed}, required: 1,
			setup: func(p *plan.Plan, f *Facts) {
				update()(p, f)
				f.Reviews = append(f.Reviews, review("dave", StateChangesRequested, head))
			}},
		{name: "computed-only update is not governed", required: -1,
			setup: func(p *plan.Plan, f *Facts) {
				update()(p, f)
				p.Policies[0].Changed = []string{"observed", "version"}
				f.Reviews = nil
			}},
		{name: "new policy approved by a governance approvers team", required: 2,
			opts: Options{Settings: governedBy("team:acme/gov")},
			setup: func(p *plan.Plan, f *Facts) {
				p.Elevations = nil
				p.Policies[0] = plan.PolicyChange{Resource: res(plan.TypePolicy, "admins"), Action: plan.ActionCreate,
					After: testPolicy(func(p *policy.Policy) { p.GovernanceApprovals = 2 })}
				f.TeamMembers["acme/gov"] = []string{"gina", "hank"}
				f.Reviews = []Review{review("gina", StateApproved, head), review("hank", StateApproved, head)}
			}},
		{name: "new policy without governance approvers", want: []string{RulePolicyGovernance}, required: 1,
			setup: func(p *plan.Plan, f *Facts) {
				p.Elevations = nil
				p.Policies[0] = plan.PolicyChange{Resource: res(plan.TypePolicy, "admins"), Action: plan.ActionCreate, After: testPolicy()}
			},
			message: "name no governance_approvers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, f := scenario()
			tt.setup(p, &f)
			tt.opts.Mode = ModePR
			r := Evaluate(p, f, tt.opts)
			want := tt.want
			if want == nil {
				want = []string{}
			}
			if got := rules(r); !slices.Equal(got, want) {
				t.Fatalf("rules = %v, want %v\n%s", got, want, messages(r))
			}
			if tt.message != "" && !strings.Contains(messages(r), tt.message) {
				t.Errorf("messages do not contain %q:\n%s", tt.message, messages(r))
			}
			if tt.required < 0 {
				if len(r.Policies) != 0 {
					t.Errorf("policies = %+v, want none", r.Policies)
				}
				return
			}
			if len(r.Policies) != 1 || r.Policies[0].ApprovalsRequired != tt.required {
				t.Errorf("policies = %+v, want approvals_required %d", r.Policies, tt.required)
			}
		})
	}
}

func TestLoosenAndUse(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*plan.Plan, *Facts)
		want  []string
	}{
		{name: "tightened policy used", setup: func(p *plan.Plan, f *Facts) {
			p.Policies[0].Action, p.Policies[0].Changed = plan.ActionUpdate, []string{"max_duration"}
			p.Policies[0].After = testPolicy(func(p *policy.Policy) { p.MaxDuration = 3 * time.Hour })
		}},
		{name: "loosened policy used", want: []string{RuleLoosenAndUse}, setup: func(p *plan.Plan, f *Facts) {
			p.Policies[0].Action, p.Policies[0].Changed = plan.ActionUpdate, []string{"max_duration"}
			p.Policies[0].After = testPolicy(func(p *policy.Policy) { p.MaxDuration = 8 * time.Hour })
		}},
		{name: "new policy used", want: []string{RuleLoosenAndUse}, setup: func(p *plan.Plan, f *Facts) {
			p.Policies[0] = plan.PolicyChange{Resource: res(plan.TypePolicy, "admins"), Action: plan.ActionCreate, After: testPolicy()}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, f := scenario()
			tt.setup(p, &f)
			f.TeamMembers["acme/gov"] = []string{"bob"}
			r := Evaluate(p, f, Options{Mode: ModePR, Settings: governedBy("team:acme/gov")})
			want := tt.want
			if want == nil {
				want = []string{}
			}
			if got := rules(r); !slices.Equal(got, want) {
				t.Fatalf("rules = %v, want %v\n%s", got, want, messages(r))
			}
		})
	}
}

// Replacing an elevation with create_before_destroy grants the new one while
// the old grant is in place, so the new one records it as held before and
// the old one's destroy then removes it: the gate refuses that order.
func TestCreateBeforeDestroy(t *testing.T) {
	p, f := scenario()
	old := elevation(func(e *policy.Elevation) { e.Status, e.Unknown = "active", nil })
	p.Elevations[0].Before = old
	p.Elevations[0].Action = plan.ActionReplaceCreateFirst
	r := Evaluate(p, f, Options{Mode: ModePR})
	if got := rules(r); !slices.Equal(got, []string{RuleCreateBeforeDestroy}) {
		t.Fatalf("rules = %v, want %s\n%s", got, RuleCreateBeforeDestroy, messages(r))
	}
	if !strings.Contains(messages(r), "create_before_destroy") {
		t.Errorf("message does not say what to change:\n%s", messages(r))
	}
	// The default order revokes first: allowed.
	p.Elevations[0].Action = plan.ActionReplace
	if r := Evaluate(p, f, Options{Mode: ModePR}); r.Verdict != VerdictPass {
		t.Errorf("destroy-then-create replacement: %q\n%s", r.Verdict, messages(r))
	}
	// Nothing to lose when the old elevation holds no grant any more.
	p.Elevations[0].Action = plan.ActionReplaceCreateFirst
	old.Status, old.RevokedAt = "expired", "2026-11-28T10:00:00Z"
	if r := Evaluate(p, f, Options{Mode: ModePR}); r.Verdict != VerdictPass {
		t.Errorf("create-first replacement of an expired elevation: %q\n%s", r.Verdict, messages(r))
	}
}

func TestRevocations(t *testing.T) {
	active := elevation(func(e *policy.Elevation) { e.Status, e.Unknown = "active", nil })
	expired := elevation(func(e *policy.Elevation) { e.Status, e.Unknown = "expired", nil })
	foundAgain := elevation(func(e *policy.Elevation) { e.Status, e.Unknown = "expired", []string{"revoked_at"} })
	tests := []struct {
		name           string
		elevations     []plan.ElevationChange
		others         []plan.Change
		revocationOnly bool
		want           []string // why, by address
	}{
		{name: "empty plan"},
		{name: "expiry", revocationOnly: true, want: []string{RevokeExpired},
			elevations: []plan.ElevationChange{{Resource: res(plan.TypeElevation, "a"), Action: plan.ActionUpdate, Changed: []string{"history", "status"}, Before: active, After: expired}}},
		{name: "found again", revocationOnly: true, want: []string{RevokeDrift},
			elevations: []plan.ElevationChange{{Resource: res(plan.TypeElevation, "a"), Action: plan.ActionUpdate, Changed: []string{"revoked_at"}, Before: expired, After: foundAgain}}},
		{name: "destroy and a computed-only update", revocationOnly: true, want: []string{RevokeDestroyed},
			elevations: []plan.ElevationChange{
				{Resource: res(plan.TypeElevation, "a"), Action: plan.ActionDelete, Before: active},
				{Resource: res(plan.TypeElevation, "b"), Action: plan.ActionUpdate, Changed: []string{"history"}, Before: active, After: active},
			}},
		{name: "revocation and a request", want: []string{RevokeDestroyed},
			elevations: []plan.ElevationChange{
				{Resource: res(plan.TypeElevation, "a"), Action: plan.ActionDelete, Before: active},
				create("b", elevation()),
			}},
		{name: "revocation and another resource's change", want: []string{RevokeDestroyed},
			elevations: []plan.ElevationChange{{Resource: res(plan.TypeElevation, "a"), Action: plan.ActionDelete, Before: active}},
			others:     []plan.Change{{Resource: res("terraform_data", "x"), Action: plan.ActionCreate}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, f := scenario()
			p.Elevations, p.Others = tt.elevations, tt.others
			r := Evaluate(p, f, Options{Mode: ModePR})
			if r.RevocationOnly != tt.revocationOnly {
				t.Errorf("revocation_only = %v, want %v", r.RevocationOnly, tt.revocationOnly)
			}
			got := []string{}
			for _, rv := range r.Revocations {
				got = append(got, rv.Why)
				if rv.Principal != "alice" || rv.Scope != "github:repo:acme/api:admin" {
					t.Errorf("revocation = %+v", rv)
				}
			}
			if !slices.Equal(got, append([]string{}, tt.want...)) {
				t.Errorf("revocations = %v, want %v", got, tt.want)
			}
			if r.Verdict != VerdictPass {
				t.Errorf("verdict = %q\n%s", r.Verdict, messages(r))
			}
		})
	}
}

func TestDrift(t *testing.T) {
	p, f := scenario()
	p.Drift = []plan.Drift{
		{Resource: res("terraform_data", "z"), Action: plan.ActionDelete, Attributes: []string{"id"}},
		{Resource: res(plan.TypeElevation, "removed"), Action: plan.ActionUpdate, Attributes: []string{"history", "revoked_at", "status"}},
		// The provider's own lifecycle: holders of a policy's scopes change
		// with every grant (judged by access.shadow instead), and an
		// invitation accepted turns pending into active.
		{Resource: res(plan.TypePolicy, "admins"), Action: plan.ActionUpdate, Attributes: []string{"observed"}},
		{Resource: res(plan.TypeElevation, "accepted"), Action: plan.ActionUpdate, Attributes: []string{"history", "status"}},
		// A renamed principal, followed by ID; an ID recorded for a state
		// written before IDs were.
		{Resource: res(plan.TypeElevation, "renamed"), Action: plan.ActionUpdate, Attributes: []string{"history", "principal_login"}},
		{Resource: res(plan.TypeElevation, "upgraded"), Action: plan.ActionUpdate, Attributes: []string{"principal_id", "principal_login"}},
	}
	// A pull request's report lists only changes made outside Terraform: a
	// reviewer is not told "observed changed" after every legitimate grant.
	r := Evaluate(p, f, Options{Mode: ModePR})
	if r.Verdict != VerdictPass || len(r.Drift) != 2 || r.Drift[0].Address != "jit_elevation.removed" || r.Drift[1].Address != "terraform_data.z" {
		t.Fatalf("pr mode: verdict %q, drift %+v\n%s", r.Verdict, r.Drift, messages(r))
	}
	r = Evaluate(p, f, Options{Mode: ModeDrift})
	if len(r.Drift) != 6 {
		t.Errorf("drift mode lists every refresh change: %+v", r.Drift)
	}
	if got := rules(r); !slices.Equal(got, []string{RuleDriftUnexpected, RuleDriftUnexpected}) {
		t.Fatalf("drift mode rules = %v\n%s", got, messages(r))
	}
	for _, want := range []string{"jit_elevation changed outside Terraform: history, revoked_at, status", "terraform_data was deleted outside Terraform"} {
		if !strings.Contains(messages(r), want) {
			t.Errorf("messages lack %q:\n%s", want, messages(r))
		}
	}
}

func TestShadowAccess(t *testing.T) {
	withObserved := func(p *policy.Policy) {
		p.Scopes = []string{"github:team:acme/ops", "github:team:acme/ops:maintainer", "github:repo:acme/*:admin"}
		p.Standing = map[string]string{"BreakGlass": "sealed emergency account"}
		p.Observed = map[string][]string{
			"github:team:acme/ops":            {"alice", "breakglass", "carol", "dave", "erin"},
			"github:team:acme/ops:maintainer": {"dave"},
		}
	}
	inForce := func(name, principal, scope, status, revokedAt string) plan.ElevationChange {
		el := elevation(func(e *policy.Elevation) {
			e.Principal, e.Scope, e.Status, e.RevokedAt, e.Unknown = principal, scope, status, revokedAt, nil
		})
		return plan.ElevationChange{Resource: res(plan.TypeElevation, name), Action: plan.ActionNoOp, Before: el, After: el}
	}
	p := &plan.Plan{
		Policies: []plan.PolicyChange{policyNoop(testPolicy(withObserved))},
		Elevations: []plan.ElevationChange{
			inForce("alice", "alice", "github:team:acme/ops", "active", ""),
			// dave's elevation covers member, but dave holds maintainer too.
			inForce("dave", "dave", "github:team:acme/ops", "active", ""),
			// carol's elevation expired and was revoked: her access is shadow again.
			inForce("carol", "carol", "github:team:acme/ops", "expired", "2026-11-28T10:00:00Z"),
			// erin's invitation is pending: in force.
			inForce("erin", "Erin", "github:team:acme/ops", "pending", ""),
		},
	}
	want := []ShadowAccess{
		{Address: "jit_optout_policy.admins", Scope: "github:team:acme/ops", Principal: "carol"},
		{Address: "jit_optout_policy.admins", Scope: "github:team:acme/ops:maintainer", Principal: "dave"},
	}
	r := Evaluate(p, Facts{}, Options{Mode: ModePR})
	if !slices.Equal(r.Shadow, want) || r.Verdict != VerdictPass {
		t.Fatalf("pr mode: verdict %q, shadow %+v, want %+v reported without blocking", r.Verdict, r.Shadow, want)
	}
	r = Evaluate(p, Facts{}, Options{Mode: ModeDrift})
	if got := rules(r); !slices.Equal(got, []string{RuleAccessShadow, RuleAccessShadow}) {
		t.Fatalf("drift mode rules = %v\n%s", got, messages(r))
	}
	if !strings.Contains(messages(r), "carol holds github:team:acme/ops without standing or an elevation in force") {
		t.Errorf("messages:\n%s", messages(r))
	}
	tokenSettings := settings.Default("test")
	tokenSettings.TokenAccounts = []string{"Dave"}
	// dave is the provider's token account in the trusted settings: his
	// access is reported as the token's, and does not block the drift check.
	// Named in no settings, it blocks: the exemption is never silent.
	r = Evaluate(p, Facts{}, Options{Mode: ModeDrift, Settings: tokenSettings})
	if got := rules(r); !slices.Equal(got, []string{RuleAccessShadow}) || !r.Shadow[1].TokenAccount || r.Shadow[0].TokenAccount {
		t.Fatalf("with token_accounts: rules %v, shadow %+v", got, r.Shadow)
	}
}

func TestJSONShape(t *testing.T) {
	for name, r := range map[string]Report{
		"empty": Evaluate(&plan.Plan{}, Facts{}, Options{Mode: ModeDrift}),
		"error": ErrorReport(ModePR, errors.New("read plan x.json: plan JSON is truncated at byte 9")),
	} {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "null") {
			t.Errorf("%s: JSON has null: %s", name, b)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		// DESIGN's keys, plus "shadow" (issue 5), added beside them.
		if want := []string{"drift", "elevations", "head_sha", "mode", "policies", "revocation_only", "revocations", "shadow", "unguarded", "verdict", "violations"}; !slices.Equal(keys, want) {
			t.Errorf("%s: keys %v", name, keys)
		}
	}
	if r := ErrorReport(ModePR, errors.New("boom")); r.Verdict != VerdictError || rules(r)[0] != RulePlanInvalid {
		t.Errorf("ErrorReport = %+v", r)
	}
	p, f := scenario()
	b, _ := json.Marshal(Evaluate(p, f, Options{Mode: ModePR}).Elevations[0])
	want := `{"address":"jit_elevation.req","action":"create","principal":"alice","scope":"github:repo:acme/api:admin","duration":"2h","policy":"admins","break_glass":false,"approvals_required":1,"approved_by":["bob"],"not_counted":[],"overlaps":[],"pr":7}`
	if string(b) != want {
		t.Errorf("elevation JSON\n got %s\nwant %s", b, want)
	}
}

func TestTeamsNeeded(t *testing.T) {
	p := &plan.Plan{Policies: []plan.PolicyChange{
		{Before: testPolicy(func(p *policy.Policy) { p.Approvers = []string{"team:Acme/Sec", "bob"} }),
			After: testPolicy(func(p *policy.Policy) { p.Requesters = []string{"team:acme/oncall"} })},
	}}
	var got []string
	for _, team := range TeamsNeeded(p, Options{Settings: governedBy("team:acme/gov", "zed")}) {
		got = append(got, team.Key())
	}
	if want := []string{"acme/gov", "acme/oncall", "acme/sec"}; !slices.Equal(got, want) {
		t.Errorf("TeamsNeeded = %v, want %v", got, want)
	}
}

func TestParseMode(t *testing.T) {
	if m, err := ParseMode("drift"); err != nil || m != ModeDrift {
		t.Errorf("ParseMode(drift) = %v, %v", m, err)
	}
	if _, err := ParseMode("yolo"); err == nil {
		t.Error("ParseMode(yolo) accepted")
	}
}

func BenchmarkEvaluate(b *testing.B) {
	p, f := scenario()
	p.Elevations = nil
	for i := range 1000 {
		el := elevation(func(e *policy.Elevation) { e.Principal = fmt.Sprintf("user%d", i%50) })
		action := plan.ActionNoOp
		if i%10 == 0 {
			action = plan.ActionCreate
		}
		p.Elevations = append(p.Elevations, plan.ElevationChange{Resource: res(plan.TypeElevation, fmt.Sprintf("e%d", i)), Action: action, After: el})
	}
	for i := range 20 {
		f.Reviews = append(f.Reviews, review(fmt.Sprintf("rev%d", i), StateApproved, head))
	}
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(p, f, Options{Mode: ModePR})
	}
}
