package doctor

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/jitgate/terraform-provider-jit/internal/settings"
)

// The write token (and the seal key) are secrets of environments: only a job
// that names the environment gets them, and only on a branch the
// environment's deployment branch policy allows. Limited to the default
// branch, a workflow on any other branch, which anyone with write access can
// push and run, cannot use them.

type environmentsPage struct {
	TotalCount   int `json:"total_count"`
	Environments []struct {
		Name   string `json:"name"`
		Policy *struct {
			ProtectedBranches    bool `json:"protected_branches"`
			CustomBranchPolicies bool `json:"custom_branch_policies"`
		} `json:"deployment_branch_policy"`
	} `json:"environments"`
}

type branchPoliciesPage struct {
	TotalCount int `json:"total_count"`
	Policies   []struct {
		Name string `json:"name"`
		Type string `json:"type"`
	} `json:"branch_policies"`
}

func checkEnvironments(r *reader, s *settings.Settings, res *Result) error {
	type env struct {
		protected, custom, any bool
	}
	found := map[string]env{}
	for page := 1; ; page++ {
		var p environmentsPage
		if _, err := r.get(r.repoPath("environments?per_page=100&page=%d", page), &p); err != nil {
			return fmt.Errorf("listing the environments (a token with Actions: read may): %w", err)
		}
		for _, e := range p.Environments {
			found[strings.ToLower(e.Name)] = env{any: e.Policy == nil, protected: e.Policy != nil && e.Policy.ProtectedBranches,
				custom: e.Policy != nil && e.Policy.CustomBranchPolicies}
		}
		if len(p.Environments) == 0 || len(found) >= p.TotalCount {
			break
		}
	}
	for _, want := range []struct{ point, name, key, jobs string }{
		{PointApplyEnv, s.ApplyEnvironment, "apply_environment", "the apply job"},
		{PointScheduledEnv, s.ScheduledEnvironment, "scheduled_environment", "the drift and expiry jobs"},
	} {
		fix := fmt.Sprintf(`Settings → Environments → %s → Deployment branches and tags: "Selected branches and tags", with the one rule %q (type branch); the environment's name is in .github/jit-gate.yml as %s`, want.name, res.DefaultBranch, want.key)
		p := Point{ID: want.point, Fix: fix}
		e, ok := found[strings.ToLower(want.name)]
		switch {
		case !ok:
			p.Summary = fmt.Sprintf("no environment %q: the write token of %s is not kept from other branches", want.name, want.jobs)
			p.Fix = fmt.Sprintf(`Settings → Environments → New environment %q; under "Deployment branches and tags" choose "Selected branches and tags" with the one rule %q (type branch); keep the write token (and JIT_GATE_SEAL_KEY) in its secrets, not the repository's; the name is in .github/jit-gate.yml as %s`,
				want.name, res.DefaultBranch, want.key)
		case e.any:
			p.Summary = fmt.Sprintf("environment %q may be used from any branch", want.name)
		case e.protected:
			p.Summary = fmt.Sprintf("environment %q may be used from every protected branch, not only %s", want.name, res.DefaultBranch)
		case e.custom:
			allowed, err := r.branchPolicies(want.name)
			if err != nil {
				return err
			}
			if len(allowed) == 1 && allowed[0] == "branch "+res.DefaultBranch {
				p.OK, p.Fix = true, ""
				p.Summary = fmt.Sprintf("environment %q: only %s may use it", want.name, res.DefaultBranch)
			} else {
				p.Summary = fmt.Sprintf("environment %q may be used from %s, not only branch %s", want.name, strings.Join(allowed, ", "), res.DefaultBranch)
			}
		}
		res.Points = append(res.Points, p)
	}
	return nil
}

// branchPolicies lists an environment's custom deployment branch policies
// as "branch NAME" and "tag NAME".
func (r *reader) branchPolicies(name string) ([]string, error) {
	var out []string
	for page := 1; ; page++ {
		var p branchPoliciesPage
		if _, err := r.get(r.repoPath("environments/%s/deployment-branch-policies?per_page=100&page=%d", url.PathEscape(name), page), &p); err != nil {
			return nil, fmt.Errorf("listing the deployment branch policies of environment %s: %w", name, err)
		}
		for _, bp := range p.Policies {
			out = append(out, bp.Type+" "+bp.Name)
		}
		if len(p.Policies) == 0 || len(out) >= p.TotalCount {
			return out, nil
		}
	}
}
