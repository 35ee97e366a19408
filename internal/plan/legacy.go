package plan

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Terraform before 1.6 saves a plan file when planning fails, and its JSON
// does not say so: it has no "errored" (nor "complete" or "applyable"), and
// the changes that planning did not reach are simply missing. Read takes
// such a plan as complete only when nothing shows a failure
// (legacyIncomplete). Terraform 1.6 and later, and OpenTofu, write
// "errored", and Read trusts it.

// legacyTerraform reports whether a plan of this terraform_version may lack
// "errored": versions before 1.6, and an unknown version.
func legacyTerraform(version string) bool {
	major, rest, ok := strings.Cut(version, ".")
	if !ok {
		return true
	}
	minorText, _, _ := strings.Cut(rest, ".")
	maj, err1 := strconv.Atoi(major)
	minor, err2 := strconv.Atoi(minorText)
	if err1 != nil || err2 != nil {
		return true
	}
	return maj < 1 || (maj == 1 && minor < 6)
}

// legacyIncomplete returns an error when a plan without "errored" shows
// what a failed plan leaves behind: a failed or errored condition of a
// resource or output (a check block's assertion only warns, so it does not
// count), or a managed resource of the configuration that is not Repeated
// yet has no entry in resource_changes (every resource planned has one,
// no-op included). checks is the plan's raw checks section (nil without).
func (p *Plan) legacyIncomplete(checks json.RawMessage) error {
	hint := fmt.Sprintf("Terraform %s writes a partial plan when planning fails, without saying so; Terraform 1.6 and later say so, and the gate reads that instead", p.TerraformVersion)
	if len(checks) > 0 {
		var results []struct {
			Address struct {
				Kind      string `json:"kind"`
				ToDisplay string `json:"to_display"`
			} `json:"address"`
			Status string `json:"status"`
		}
		if err := json.Unmarshal(checks, &results); err != nil {
			return fmt.Errorf("plan JSON checks: %w", err)
		}
		for _, r := range results {
			if r.Address.Kind == "check" || (r.Status != "fail" && r.Status != "error") {
				continue
			}
			what := "failed"
			if r.Status == "error" {
				what = "could not be evaluated"
			}
			return fmt.Errorf("plan JSON is a partial plan: the condition on %s %s, so planning failed (%s)", r.Address.ToDisplay, what, hint)
		}
	}
	if p.Configuration == nil {
		return nil
	}
	planned := map[string]bool{}
	for _, c := range p.Changes {
		if res, ok := p.Configuration.ResourceOf(c.Resource); ok {
			planned[res.Address] = true
		}
	}
	for _, r := range p.Configuration.Resources {
		if r.Mode == "managed" && !r.Repeated && !planned[r.Address] {
			return fmt.Errorf("plan JSON is a partial plan: %s is in the configuration but not in the plan, so planning failed before reaching it (%s)", r.Address, hint)
		}
	}
	return nil
}
