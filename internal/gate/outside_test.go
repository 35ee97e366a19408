package gate

import (
	"slices"
	"strings"
	"testing"

	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
	"github.com/jitgate/terraform-provider-jit/internal/settings"
)

// The rules of the whole plan on testdata/plans/whole.json, which real
// Terraform wrote: integrations/github resources changed every way (served
// by the schema-only stand-in), provisioners, and a jit configuration that
// points at another GitHub with its own token, used by a policy and by an
// elevation in a module.

func wholePlan(t *testing.T) *plan.Plan {
	t.Helper()
	p, err := plan.ReadFile("../../testdata/plans/whole.json")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// wholeFacts: a pull request by alice, approved on its head commit by carol,
// the one governance approver.
func wholeFacts() Facts {
	return Facts{HasPR: true, Number: 9, Author: "alice", HeadSHA: head,
		Reviews: []Review{review("carol", StateApproved, head)},
		Held:    map[string]string{HeldKey("dave", scope.Scope{Kind: scope.KindTeam, Owner: "acme", Name: "oncall"}): ""}}
}

func rowsByAddress(r Report) map[string]Unguarded {
	out := map[string]Unguarded{}
	for _, u := range r.Unguarded {
		out[u.Address] = u
	}
	return out
}

func TestWholePlanEveryChangeJudged(t *testing.T) {
	r := Evaluate(wholePlan(t), wholeFacts(), Options{Mode: ModePR, Settings: governedBy("carol")})
	want := map[string]string{
		// Each gives a policy's concrete scope to someone not standing: no approval lifts it.
		"github_membership.mona":                RuleAccessBypass, // member to admin: the owner role holds every scope
		"github_repository_collaborator.frank":  RuleAccessBypass,
		"github_repository_collaborators.api":   RuleAccessBypass,
		"github_team.shadow":                    RuleAccessBypass, // a child team of oncall: its members are oncall's
		"github_team_membership.erin":           RuleAccessBypass, // the team is known only after apply
		"github_team_repository.sre_api":        RuleAccessBypass,
		"github_team_sync_group_mapping.oncall": RuleAccessBypass,
		// Access outside the governed scopes: carol's approval lifts it.
		"github_team_members.sre":     RulePlanUnguarded,
		"github_team_membership.dave": RulePlanUnguarded,
		// Provisioners, and jit resources on the decoy configuration.
		"terraform_data.hook": RulePlanEscape,
		`module.grant["dave"].module.hook[0].terraform_data.notify`: RulePlanEscape,
		"jit_optout_policy.decoy":                                   RulePlanEscape,
		`module.grant["dave"].jit_elevation.this`:                   RulePlanEscape,
	}
	rows := rowsByAddress(r)
	if len(rows) != len(want) {
		t.Errorf("unguarded rows %v, want %d", r.Unguarded, len(want))
	}
	for addr, rule := range want {
		row, ok := rows[addr]
		switch {
		case !ok:
			t.Errorf("%s is not in the unguarded list", addr)
		case row.Rule != rule:
			t.Errorf("%s judged by %q (%s), want %q", addr, row.Rule, row.Why, rule)
		case rule == RuleAccessBypass && row.ApprovalsRequired != 0:
			t.Errorf("%s: approvals_required %d, but no approval lifts access.bypass", addr, row.ApprovalsRequired)
		case rule != RuleAccessBypass && (row.ApprovalsRequired != 1 || !slices.Equal(row.ApprovedBy, []string{"carol"})):
			t.Errorf("%s: approvals %d by %v, want 1 by carol", addr, row.ApprovalsRequired, row.ApprovedBy)
		}
	}
	// The unchanged policy on the default configuration is the jit rules' alone.
	if _, ok := rows["jit_optout_policy.oncall"]; ok {
		t.Error("jit_optout_policy.oncall on the trusted configuration is listed as unguarded")
	}
	if !strings.Contains(rows["jit_optout_policy.decoy"].Why, "carries its own token and points at http://127.0.0.1") {
		t.Errorf("decoy why = %q", rows["jit_optout_policy.decoy"].Why)
	}

	violations := map[string][]string{}
	for _, v := range r.Violations {
		violations[v.Address] = append(violations[v.Address], v.Rule)
	}
	// carol's approval lifts plan.unguarded, but an escape never shares a
	// plan with an elevation request.
	for _, addr := range []string{"github_team_members.sre", "github_team_membership.dave"} {
		if len(violations[addr]) != 0 {
			t.Errorf("%s: %v after the governance approval", addr, violations[addr])
		}
	}
	if got := violations["terraform_data.hook"]; !slices.Equal(got, []string{RulePlanEscape}) {
		t.Errorf("terraform_data.hook: %v, want plan.escape although approved", got)
	}
	if r.Verdict != VerdictBlocked || r.RevocationOnly {
		t.Errorf("verdict %s, revocation only %v", r.Verdict, r.RevocationOnly)
	}
}

// Without the elevation request, the same approval lifts every escape; it
// never lifts access.bypass.
func TestWholePlanApprovalLiftsAllButBypass(t *testing.T) {
	p := wholePlan(t)
	p.Elevations = nil
	for _, approved := range []bool{false, true} {
		f := wholeFacts()
		if !approved {
			f.Reviews = nil
		}
		r := Evaluate(p, f, Options{Mode: ModePR, Settings: governedBy("carol")})
		got := map[string]bool{}
		for _, v := range r.Violations {
			got[v.Rule] = true
		}
		if !got[RuleAccessBypass] || got[RulePlanEscape] == approved || got[RulePlanUnguarded] == approved {
			t.Errorf("approved %v: rules %v", approved, got)
		}
	}
}

func TestConfigEscape(t *testing.T) {
	providers := wholePlan(t).Configuration.Providers
	s := settings.Default("test")
	for key, want := range map[string]string{
		"jit":          "",
		"jit.decoy":    "carries its own token and points at http://127.0.0.1",
		"jit.byvar":    "carries its own token and sets github.base_url by an expression",
		"jit.computed": "sets github.base_url by an expression",
		"jit.dynamic":  "has no github block in the plan",
	} {
		got := configEscape(providers[key], s)
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", key, got, want)
		}
	}
	// The trusted URL, spelt otherwise, is no escape.
	pc := plan.ProviderConfig{Key: "jit.ghes", Alias: "ghes", GitHub: &plan.GitHubBlock{BaseURL: plan.Expression{
		Kind: plan.ExprConstant, Constant: plan.Value{Kind: plan.ValueString, Str: "HTTPS://GHE.example.com/api/v3"}}}}
	s.GitHubBaseURL = "https://ghe.example.com/api/v3/"
	if got := configEscape(pc, s); got != "" {
		t.Errorf("trusted GHES URL: %q", got)
	}
}

func TestJitResourceFromAnotherProvider(t *testing.T) {
	p := &plan.Plan{TerraformVersion: "1.8.5", WholePlan: plan.WholePlan{Changes: []plan.ResourceChange{{
		Resource: res(plan.TypePolicy, "p"), ProviderName: "registry.terraform.io/evil/jit", Action: plan.ActionNoOp}}}}
	r := Evaluate(p, Facts{}, Options{Mode: ModeDrift, Settings: settings.Default("test")})
	if rules(r)[0] != RulePlanEscape || !strings.Contains(r.Violations[0].Message, "registry.terraform.io/evil/jit, not the trusted registry.terraform.io/jitgate/jit") {
		t.Errorf("violations %+v", r.Violations)
	}
}

// The default provider is trusted as Terraform and as OpenTofu name it; a
// provider the settings name is trusted alone, and no other namespace ever.
func TestTrustedProviderAddresses(t *testing.T) {
	mirror := settings.Default("test")
	mirror.Provider = "registry.example.com/acme/jit"
	for _, tt := range []struct {
		addr   string
		s      settings.Settings
		escape bool
	}{
		{"registry.terraform.io/jitgate/jit", settings.Default("test"), false},
		{"registry.opentofu.org/jitgate/jit", settings.Default("test"), false},
		{"registry.opentofu.org/evil/jit", settings.Default("test"), true},
		{"registry.example.com/acme/jit", mirror, false},
		{"registry.terraform.io/jitgate/jit", mirror, true},
		{"registry.opentofu.org/jitgate/jit", mirror, true},
	} {
		p := &plan.Plan{TerraformVersion: "1.8.5", WholePlan: plan.WholePlan{Changes: []plan.ResourceChange{{
			Resource: res(plan.TypePolicy, "p"), ProviderName: tt.addr, Action: plan.ActionNoOp}}}}
		r := Evaluate(p, Facts{}, Options{Mode: ModeDrift, Settings: tt.s})
		got := slices.ContainsFunc(r.Violations, func(v Violation) bool {
			return v.Rule == RulePlanEscape && strings.Contains(v.Message, "it comes from provider "+tt.addr)
		})
		if got != tt.escape {
			t.Errorf("%s under provider %s: plan.escape %v, want %v: %v", tt.addr, tt.s.Provider, got, tt.escape, r.Violations)
		}
	}
}

// allow_types exempts a type, never its provisioners; the plan does not show
// a removed block's provisioners, so a delete without a block is not
// exempt on a Terraform that has them.
func TestAllowTypes(t *testing.T) {
	s := settings.Default("test")
	s.AllowTypes = []string{"aws_s3_bucket"}
	for _, tt := range []struct {
		version string
		action  plan.Action
		rule    string
	}{
		{"1.8.5", plan.ActionCreate, ""},
		{"1.8.5", plan.ActionDelete, ""},
		{"1.9.0", plan.ActionUpdate, ""},
		{"1.9.0", plan.ActionDelete, RulePlanEscape},
		{"1.11.4", plan.ActionDelete, RulePlanEscape},
	} {
		p := &plan.Plan{TerraformVersion: tt.version, WholePlan: plan.WholePlan{Changes: []plan.ResourceChange{{
			Resource: res("aws_s3_bucket", "logs"), ProviderName: "registry.terraform.io/hashicorp/aws", Action: tt.action}}}}
		p.Others = []plan.Change{{Resource: res("aws_s3_bucket", "logs"), Action: tt.action}}
		r := Evaluate(p, Facts{}, Options{Mode: ModePR, Settings: s})
		if (tt.rule == "") != (len(r.Unguarded) == 0) || (tt.rule != "" && r.Unguarded[0].Rule != tt.rule) {
			t.Errorf("%s %s: unguarded %+v, want rule %q", tt.version, tt.action, r.Unguarded, tt.rule)
		}
		if (tt.rule == "") != (r.Verdict == VerdictPass) {
			t.Errorf("%s %s: verdict %s", tt.version, tt.action, r.Verdict)
		}
	}
}

func TestGateTrust(t *testing.T) {
	s := governedBy("team:acme/gov")
	files := func(paths ...string) []ChangedFile {
		out := []ChangedFile{}
		for _, p := range paths {
			old, now, renamed := strings.Cut(p, " -> ")
			if !renamed {
				now, old = p, ""
			}
			out = append(out, ChangedFile{Path: now, Previous: old, Status: "modified"})
		}
		return out
	}
	tests := []struct {
		name    string
		files   []ChangedFile
		total   int
		reviews []Review
		want    []string // addresses of gate.trust rows
		blocked bool
	}{
		{name: "terraform only", files: files("main.tf", "modules/x/main.tf")},
		{name: "a workflow", files: files("main.tf", ".github/workflows/apply.yml"), want: []string{".github/workflows/apply.yml"}, blocked: true},
		{name: "the settings file", files: files(".github/jit-gate.yml"), want: []string{".github/jit-gate.yml"}, blocked: true},
		{name: "the settings file renamed away", files: files(".github/jit-gate.yml -> docs/old.yml"), want: []string{"docs/old.yml"}, blocked: true},
		{name: "a lock file deep down", files: files("envs/prod/.terraform.lock.hcl"), want: []string{"envs/prod/.terraform.lock.hcl"}, blocked: true},
		{name: "a workflow approved by a governance approver", files: files(".github/workflows/apply.yml"),
			reviews: []Review{review("gina", StateApproved, head)}, want: []string{".github/workflows/apply.yml"}},
		{name: "approved by the author, who governs", files: files("CODEOWNERS"),
			reviews: []Review{review("carol", StateApproved, head)}, want: []string{"CODEOWNERS"}, blocked: true},
		{name: "approved on an older commit", files: files("CODEOWNERS"),
			reviews: []Review{review("gina", StateApproved, "old")}, want: []string{"CODEOWNERS"}, blocked: true},
		{name: "more files than GitHub lists", files: files("main.tf"), total: 3001,
			want: []string{"(3000 files GitHub does not list)"}, blocked: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Facts{HasPR: true, Author: "carol", HeadSHA: head, Reviews: tt.reviews, Files: tt.files,
				FilesTotal: max(tt.total, len(tt.files)), TeamMembers: map[string][]string{"acme/gov": {"gina", "carol"}}}
			r := Evaluate(&plan.Plan{}, f, Options{Mode: ModePR, Settings: s})
			var got []string
			for _, u := range r.Unguarded {
				if u.Rule == RuleGateTrust && u.Type == "file" {
					got = append(got, u.Address)
				}
			}
			if !slices.Equal(got, tt.want) || (r.Verdict == VerdictBlocked) != tt.blocked {
				t.Errorf("trust rows %v, verdict %s; want %v, blocked %v\n%s", got, r.Verdict, tt.want, tt.blocked, messages(r))
			}
		})
	}
}

// A request for someone who already holds the scope, with neither standing
// nor another elevation in force, would record the shadow access as
// previous access that expiry leaves in place: access.shadow, in every mode.
func TestRequestOverShadowAccess(t *testing.T) {
	observed := func(p *policy.Policy) { p.Observed = map[string][]string{"github:team:acme/ops": {"alice"}} }
	onOps := func(e *policy.Elevation) { e.Scope = "github:team:acme/ops" }
	tests := []struct {
		name  string
		setup func(*plan.Plan, *Facts)
		want  []string
	}{
		{name: "observed holder", want: []string{RuleAccessShadow}, setup: func(p *plan.Plan, f *Facts) {
			p.Policies[0] = policyNoop(testPolicy(observed))
		}},
		{name: "observed holder who is standing", setup: func(p *plan.Plan, f *Facts) {
			p.Policies[0] = policyNoop(testPolicy(observed, func(p *policy.Policy) { p.Standing = map[string]string{"Alice": "owns ops"} }))
		}},
		{name: "observed holder through another elevation in force (an extension)", setup: func(p *plan.Plan, f *Facts) {
			p.Policies[0] = policyNoop(testPolicy(observed))
			active := elevation(onOps, func(e *policy.Elevation) { e.Status = policy.StatusActive })
			p.Elevations = append(p.Elevations, plan.ElevationChange{Resource: res(plan.TypeElevation, "first"), Action: plan.ActionNoOp, Before: active, After: active})
			p.Elevations[0].After.Overlaps = []policy.Overlap{entry(active)} // as elevation.overlap requires
		}},
		{name: "observed, not a holder", setup: func(p *plan.Plan, f *Facts) {
			p.Policies[0] = policyNoop(testPolicy(func(p *policy.Policy) { p.Observed = map[string][]string{"github:team:acme/ops": {"bob"}} }))
		}},
		{name: "GitHub says a wildcard scope's principal holds it", want: []string{RuleAccessShadow}, setup: func(p *plan.Plan, f *Facts) {
			f.Held[HeldKey("alice", scope.Scope{Kind: scope.KindRepo, Owner: "acme", Name: "api"})] = "admin"
		}},
		{name: "GitHub says a lower level is held", setup: func(p *plan.Plan, f *Facts) {
			f.Held[HeldKey("alice", scope.Scope{Kind: scope.KindRepo, Owner: "acme", Name: "api"})] = "push"
		}},
		{name: "GitHub was not read", want: []string{RuleAccessShadow}, setup: func(p *plan.Plan, f *Facts) {
			f.Held = nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, f := scenario()
			if strings.HasPrefix(tt.name, "observed") {
				p.Elevations[0].After = elevation(onOps)
			}
			tt.setup(p, &f)
			for _, mode := range []Mode{ModePR, ModeApply} {
				r := Evaluate(p, f, Options{Mode: mode})
				want := tt.want
				if want == nil {
					want = []string{}
				}
				if got := rules(r); !slices.Equal(got, want) {
					t.Errorf("%s: rules %v, want %v\n%s", mode, got, want, messages(r))
				}
			}
		})
	}
}

// HeldNeeded asks GitHub only about requests whose scope the policy does
// not observe.
func TestHeldNeeded(t *testing.T) {
	p, _ := scenario()
	p.Elevations = append(p.Elevations, create("ops", elevation(func(e *policy.Elevation) { e.Scope = "github:team:acme/ops" })))
	p.Policies[0] = policyNoop(testPolicy(func(p *policy.Policy) { p.Observed = map[string][]string{"github:team:acme/ops": {}} }))
	got := HeldNeeded(p, Options{Mode: ModePR})
	if len(got) != 1 || got[0].Principal != "alice" || got[0].Scope.String() != "github:repo:acme/api:admin" {
		t.Errorf("HeldNeeded = %+v, want only alice on acme/api", got)
	}
}
