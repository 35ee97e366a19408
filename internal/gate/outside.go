package gate

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	version "github.com/hashicorp/go-version"

	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
	"github.com/jitgate/terraform-provider-jit/internal/settings"
)

// The whole plan is judged (DESIGN): every change outside the jit resources,
// and every jit resource that may not be what it seems, is an outside entry
// with what judges it. The rules plan.unguarded, plan.escape, access.bypass
// and gate.trust report from these entries; the report's unguarded list is
// made of them.

// outside is one change the jit rules do not judge, as the report shows it,
// with the findings of the rules that do.
type outside struct {
	Unguarded
	findings   []finding
	principals []string // logins the change gives access to: they approve nothing of it
	tal        *tally   // nil for a change no approval lifts or needs
}

// finding is one rule's reason to judge an outside change.
type finding struct {
	rule, why string
	// runs: the finding is code that runs at apply (a provisioner, or a
	// provider other than the trusted one), which could change access just
	// before a grant.
	runs bool
}

// severity orders the rules of outside findings: the report row shows the
// gravest.
var severity = []string{RulePlanUnguarded, RuleGateTrust, RulePlanEscape, RuleAccessBypass}

// removedProvisioners is the first Terraform whose `removed` blocks take
// destroy-time provisioners, which the plan's configuration does not show.
var removedProvisioners = version.Must(version.NewVersion("1.9.0"))

// judgeOutside computes the outside entries of the plan and of the pull
// request's files.
func (v *view) judgeOutside() {
	s := v.opts.Settings
	ti := newTeamIndex(v.plan.Access)
	access := map[string]plan.AccessChange{}
	for _, a := range v.plan.Access {
		access[a.Address] = a
	}
	for _, c := range v.plan.Changes {
		if c.Mode != "managed" {
			continue // data sources read; they change nothing
		}
		o := outside{Unguarded: Unguarded{Address: c.Address, Type: c.Type, Action: string(c.Action)}}
		changed := c.Action != plan.ActionNoOp && c.Action != plan.ActionRead
		switch {
		case strings.HasPrefix(c.Type, "jit_"):
			o.findings = v.jitEscapes(c, changed)
		case !changed:
		default:
			// An escape needs the approvals plan.unguarded would; access.bypass
			// takes no approval. Either makes plan.unguarded moot.
			o.findings = v.escapes(c)
			if a, ok := access[c.Address]; ok {
				var fs []finding
				fs, o.principals = v.accessFindings(ti, a)
				if len(o.findings) == 0 || fs[0].rule == RuleAccessBypass {
					o.findings = append(o.findings, fs...)
				}
			} else if len(o.findings) == 0 && !s.Allowed(c.Type) {
				o.findings = []finding{{rule: RulePlanUnguarded, why: fmt.Sprintf("%s is not in the settings' allow_types", c.Type)}}
			}
		}
		// A change of a type in allow_types is judged and let be: it is
		// not listed, so a plan of thousands of them stays readable.
		if o.findings != nil {
			v.addOutside(o)
		}
	}
	v.judgeFiles()
}

// addOutside completes an entry (its row's rule, why and approvals) and adds it.
func (v *view) addOutside(o outside) {
	var whys []string
	for _, f := range o.findings {
		if slices.Index(severity, f.rule) > slices.Index(severity, o.Rule) {
			o.Rule = f.rule
		}
		if !slices.Contains(whys, f.why) {
			whys = append(whys, f.why)
		}
	}
	if len(whys) > 0 {
		o.Why = strings.Join(whys, "; ")
	}
	o.ApprovedBy, o.NotCounted = none, noneCounted
	if slices.ContainsFunc(o.findings, func(f finding) bool { return f.rule != RuleAccessBypass }) {
		o.tal = v.governanceTally(o.principals)
		if o.Rule != RuleAccessBypass { // the row shows what lifts all of it
			o.ApprovalsRequired = v.governanceRequired()
			o.ApprovedBy, o.NotCounted = o.tal.approvedBy, o.tal.notCounted
		}
	}
	v.outside = append(v.outside, o)
}

// none and noneCounted are the empty lists of rows that need no approval,
// shared: rows are never changed after the view is made.
var (
	none        = []string{}
	noneCounted = []NotCounted{}
)

// governanceRequired is how many of the settings' governance approvers
// must approve each outside change: second-party approval is not optional.
func (v *view) governanceRequired() int { return max(v.opts.Settings.UnguardedApprovals, 1) }

// governanceTally counts the governance approvers' approvals; a principal
// the change gives access to is not counted, as for an elevation. The count
// is made once: it is the same for every change but for its principals.
func (v *view) governanceTally(principals []string) *tally {
	if v.govTally == nil {
		t := count(v.decisive, v.facts, v.opts.Settings.GovernanceApprovers, "")
		v.govTally = &t
	}
	if len(principals) == 0 {
		return v.govTally
	}
	t := *v.govTally
	t.notCounted = slices.Clone(t.notCounted)
	kept := t.approvedBy[:0:0]
	for _, login := range t.approvedBy {
		if slices.Contains(principals, strings.ToLower(login)) {
			t.notCounted = append(t.notCounted, NotCounted{Login: login, Why: WhyPrincipal})
		} else {
			kept = append(kept, login)
		}
	}
	t.approvedBy = kept
	return &t
}

// escapes finds what a changed resource of any type runs at apply beyond
// its provider: provisioners, including those of a `removed` block, which
// the plan does not show.
func (v *view) escapes(c plan.ResourceChange) []finding {
	res, ok := v.plan.Configuration.ResourceOf(c.Resource)
	switch {
	case ok && len(res.Provisioners) > 0:
		return []finding{{RulePlanEscape, fmt.Sprintf("it has provisioners (%s), which run any command at apply", strings.Join(res.Provisioners, ", ")), true}}
	case !ok && c.Action == plan.ActionDelete && v.removedMayProvision():
		return []finding{{RulePlanEscape, "its block is gone from the configuration, and a removed block's destroy-time provisioner would run without showing in the plan", true}}
	}
	return nil
}

// removedMayProvision: the plan's Terraform lets removed blocks carry
// provisioners (a version it cannot read counts as one that does).
func (v *view) removedMayProvision() bool {
	tv, err := version.NewVersion(v.plan.TerraformVersion)
	return err != nil || tv.GreaterThanOrEqual(removedProvisioners)
}

// jitEscapes finds how a jit resource may escape the trusted provider and
// GitHub: another provider, a provider configuration that points elsewhere
// or carries its own token, or provisioners. A no-op counts: reading a
// policy or an elevation from a decoy GitHub hides shadow access and
// revocations.
func (v *view) jitEscapes(c plan.ResourceChange, changed bool) []finding {
	s := v.opts.Settings
	var out []finding
	if !s.TrustsProvider(c.ProviderName) {
		out = append(out, finding{RulePlanEscape, fmt.Sprintf("it comes from provider %s, not the trusted %s", c.ProviderName, s.Provider), true})
	}
	cfg := v.plan.Configuration
	if pc, ok := cfg.ProviderOf(c.Resource); ok {
		if why := configEscape(pc, s); why != "" {
			out = append(out, finding{rule: RulePlanEscape, why: why})
		}
	} else if keys := escapingConfigs(cfg, s); cfg == nil || len(keys) > 0 {
		out = append(out, finding{rule: RulePlanEscape, why: fmt.Sprintf("its provider configuration is not in the plan, and the plan has jit configurations that point elsewhere (%s)", strings.Join(keys, ", "))})
	}
	if changed {
		out = append(out, v.escapes(c)...)
	}
	return out
}

// escapingConfigs lists the keys of the jit provider configurations that escape.
func escapingConfigs(cfg *plan.Configuration, s settings.Settings) []string {
	var keys []string
	if cfg == nil {
		return []string{"no configuration section"}
	}
	for k, pc := range cfg.Providers {
		if strings.HasSuffix(pc.FullName, "/jit") && configEscape(pc, s) != "" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// configEscape says why a jit provider configuration may reach another
// GitHub than the trusted one, or with another token; "" when it cannot.
// Only the root module's default configuration may leave its github block
// out: its URL and token then come from the workflow's environment, which
// trust_paths guard. Any other without a github block in the plan exists
// only to differ from it, through a dynamic block the plan does not show.
func configEscape(pc plan.ProviderConfig, s settings.Settings) string {
	gh := pc.GitHub
	if gh == nil {
		if pc.Alias == "" && pc.ModuleAddress == "" {
			return ""
		}
		return fmt.Sprintf("provider configuration %s has no github block in the plan: only the root module's default configuration may take its GitHub from the environment, and a dynamic github block leaves no trace", pc.Key)
	}
	var whys []string
	if gh.Token.IsSet() {
		whys = append(whys, "carries its own token")
	}
	switch raw, _ := gh.BaseURL.Constant.Text(); {
	case !gh.BaseURL.IsSet():
	case gh.BaseURL.Kind != plan.ExprConstant:
		whys = append(whys, "sets github.base_url by an expression the plan does not resolve, so it may point at any GitHub")
	default:
		if u, err := settings.NormalizeBaseURL(raw); err != nil || u != s.GitHubBaseURL {
			whys = append(whys, fmt.Sprintf("points at %s, not the trusted %s", raw, s.GitHubBaseURL))
		}
	}
	if len(whys) == 0 {
		return ""
	}
	return fmt.Sprintf("provider configuration %s %s", pc.Key, strings.Join(whys, " and "))
}

// accessFindings judges a change of an access-granting type: access.bypass
// for each new grant of policies' concrete scopes to someone who is not
// standing (or that the plan cannot rule out), plan.unguarded otherwise.
// principals are the users the change gives anything to.
func (v *view) accessFindings(ti teamIndex, a plan.AccessChange) (out []finding, principals []string) {
	after, read := ti.grantsOf(a.Type, a.After)
	before, _ := ti.grantsOf(a.Type, a.Before)
	for _, g := range after {
		if g.user != "" && !slices.Contains(principals, g.user) {
			principals = append(principals, g.user)
		}
		if slices.ContainsFunc(before, g.within) {
			continue
		}
		var scopes []string // "SCOPE (policy ADDRESS)"
		for _, gs := range v.scopes {
			if g.covers(gs.sc) && (g.user == "" || !standingIn(gs.pc, g.user)) {
				scopes = append(scopes, fmt.Sprintf("%s (policy %s)", gs, gs.policy))
			}
		}
		if len(scopes) == 0 {
			continue
		}
		why := fmt.Sprintf("it gives %s to %s, who is not standing there", strings.Join(scopes, ", "), g.to)
		if g.unknown != "" {
			why = fmt.Sprintf("it may give %s to %s (%s)", strings.Join(scopes, ", "), g.to, g.unknown)
		}
		out = append(out, finding{rule: RuleAccessBypass, why: why + ": access to a governed scope goes through jit_elevation or standing"})
	}
	if len(out) == 0 || !read {
		out = append(out, finding{rule: RulePlanUnguarded, why: "it grants " + a.Grants})
	}
	return out, principals
}

// governedScope is a concrete scope of a policy in the plan.
type governedScope struct {
	sc     scope.Scope // of kind kindOwner for a policy whose scopes are unknown
	policy string      // its address
	pc     *plan.PolicyChange
}

func (g governedScope) String() string {
	if g.sc.Kind == kindOwner {
		return "any scope (its scopes are known only after apply)"
	}
	return g.sc.String()
}

// governedScopes lists every concrete scope of every policy in the plan,
// before and after. A policy whose scopes are unknown governs anything.
func governedScopes(p *plan.Plan) []governedScope {
	out := []governedScope{}
	for i := range p.Policies {
		pc := &p.Policies[i]
		seen := map[string]bool{}
		for _, pol := range []*policy.Policy{pc.Before, pc.After} {
			if pol == nil {
				continue
			}
			if pol.IsUnknown("scopes") {
				out = append(out, governedScope{sc: scope.Scope{Target: "github", Kind: kindOwner}, policy: pc.Address, pc: pc})
			}
			for _, s := range pol.Scopes {
				sc, err := scope.ParsePattern(s)
				if err != nil || !sc.Concrete() || seen[sc.String()] {
					continue
				}
				seen[sc.String()] = true
				out = append(out, governedScope{sc: sc, policy: pc.Address, pc: pc})
			}
		}
	}
	return out
}

// judgeFiles adds a gate.trust entry for each trusted file the pull
// request changes, judged under the base's settings.
func (v *view) judgeFiles() {
	s := v.opts.Settings
	for _, f := range v.facts.Files {
		for _, p := range []string{f.Path, f.Previous} {
			if p == "" || !s.Trusted(p) {
				continue
			}
			why := "it matches the settings' trust_paths"
			if p == settings.Path {
				why = "it is the gate's settings file"
			}
			v.addOutside(outside{
				Unguarded: Unguarded{Address: f.Path, Type: "file", Action: f.Status},
				findings:  []finding{{rule: RuleGateTrust, why: why}},
			})
			break
		}
	}
	if left := v.facts.FilesTotal - len(v.facts.Files); left > 0 {
		v.addOutside(outside{
			Unguarded: Unguarded{Address: fmt.Sprintf("(%d files GitHub does not list)", left), Type: "file", Action: "unknown"},
			findings: []finding{{rule: RuleGateTrust, why: fmt.Sprintf("the pull request changes %d files and GitHub lists only its first %d: the gate cannot tell whether it changes trusted files",
				v.facts.FilesTotal, len(v.facts.Files))}},
		})
	}
}

// The rules of the whole plan, each reporting its own findings.

func planUnguarded(v *view) []Violation { return v.outsideViolations(RulePlanUnguarded, nil) }

func gateTrust(v *view) []Violation { return v.outsideViolations(RuleGateTrust, nil) }

// planEscape needs the governance approvals, and code that runs at apply
// never shares a plan with an elevation request: a provisioner that adds
// the principal by hand just before the grant would have the grant record
// that as the principal's previous access, which expiry leaves in place.
func planEscape(v *view) []Violation {
	out := v.outsideViolations(RulePlanEscape, func(f finding) bool { return len(v.requests) == 0 || !f.runs })
	if len(v.requests) > 0 {
		out = append(out, v.eachFinding(RulePlanEscape, func(o *outside, f finding) []Violation {
			if !f.runs {
				return nil
			}
			return []Violation{violation(o.Address, "%s; it cannot share a plan with an elevation request, whatever the approvals: apply it on its own first", f.why)}
		})...)
	}
	return out
}

// accessBypass: no approval lifts it.
func accessBypass(v *view) []Violation {
	return v.eachFinding(RuleAccessBypass, func(o *outside, f finding) []Violation { return []Violation{violation(o.Address, "%s", f.why)} })
}

// eachFinding collects what f makes of every finding of rule.
func (v *view) eachFinding(rule string, f func(o *outside, fd finding) []Violation) []Violation {
	var out []Violation
	for i := range v.outside {
		o := &v.outside[i]
		for _, fd := range o.findings {
			if fd.rule == rule {
				out = append(out, f(o, fd)...)
			}
		}
	}
	return out
}

// outsideViolations reports each finding of rule (that only keeps, when
// set) on a change that lacks the governance approvals.
func (v *view) outsideViolations(rule string, only func(finding) bool) []Violation {
	need, s := v.governanceRequired(), v.opts.Settings
	return v.eachFinding(rule, func(o *outside, f finding) []Violation {
		vetoed := len(o.tal.vetoedBy) > 0
		switch {
		case only != nil && !only(f), len(o.tal.approvedBy) >= need && !vetoed:
			return nil
		case vetoed:
			return []Violation{violation(o.Address, "%s; governance approvers requested changes: %s", f.why, strings.Join(o.tal.vetoedBy, ", "))}
		case len(s.GovernanceApprovers) == 0:
			return []Violation{violation(o.Address, "%s; it needs %d approvals from governance_approvers, and the trusted settings (%s) name none",
				f.why, need, cmp.Or(s.Source, "defaults"))}
		}
		return []Violation{violation(o.Address, "%s; %d of %d required approvals from the governance_approvers of %s",
			f.why, len(o.tal.approvedBy), need, cmp.Or(s.Source, "the trusted settings"))}
	})
}
