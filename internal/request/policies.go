// Package request turns a request for access into a jit_elevation block that
// the provider and the gate will accept: it reads the policies of a root
// module from its .tf files, checks the request with the same checks the
// provider makes at plan time (internal/policy, internal/scope), writes the
// block into a file of its own, and can open the pull request that asks the
// policy's approvers to review it.
package request

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/jitgate/terraform-provider-jit/internal/policy"
)

const (
	policyType    = "jit_optout_policy"
	elevationType = "jit_elevation"
)

// Module is what a root module's .tf files say that a request needs: its
// policies, and the names already taken by elevations and files.
type Module struct {
	Dir      string
	Policies []Found
	// Elevations are the resource names of the jit_elevation blocks.
	Elevations []string
	Files      []string // the directory's file names
}

// Found is one jit_optout_policy block.
type Found struct {
	Label  string // the resource name: jit_optout_policy.LABEL
	File   string
	Policy *policy.Policy
	// Repeated is set when the block has count or for_each: a request
	// cannot name one instance of it without knowing the module's values.
	Repeated bool
}

// Load parses every .tf file of dir. Attributes that are not literal
// values (variables, locals, functions) are recorded as unknown, as a plan
// would show them before apply, so the checks that need them say so.
func Load(dir string) (*Module, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading the root module: %w", err)
	}
	m := &Module{Dir: dir}
	for _, e := range entries {
		m.Files = append(m.Files, e.Name())
		if e.IsDir() || filepath.Ext(e.Name()) != ".tf" {
			continue
		}
		path := filepath.Join(dir, e.Name())
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		f, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
		if diags.HasErrors() {
			return nil, fmt.Errorf("%s does not parse as Terraform: %s", path, diags.Error())
		}
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			return nil, fmt.Errorf("%s is not native Terraform syntax", path)
		}
		for _, b := range body.Blocks {
			if b.Type != "resource" || len(b.Labels) != 2 {
				continue
			}
			switch b.Labels[0] {
			case elevationType:
				m.Elevations = append(m.Elevations, b.Labels[1])
			case policyType:
				_, count := b.Body.Attributes["count"]
				_, each := b.Body.Attributes["for_each"]
				m.Policies = append(m.Policies, Found{Label: b.Labels[1], File: e.Name(), Policy: readPolicy(b.Body), Repeated: count || each})
			}
		}
	}
	return m, nil
}

// Policy finds the policy whose name (or, when its name is not a literal,
// resource name) is name.
func (m *Module) Policy(name string) (*Found, error) {
	var names []string
	for i, f := range m.Policies {
		if f.Policy.Name == name || (f.Policy.IsUnknown("name") && f.Label == name) {
			if f.Repeated {
				return nil, fmt.Errorf("policy %q (%s.%s in %s) uses count or for_each: write the elevation by hand, naming the instance", name, policyType, f.Label, f.File)
			}
			return &m.Policies[i], nil
		}
		names = append(names, cmpName(f))
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no %s in %s: --dir names the root module that holds the policies", policyType, m.Dir)
	}
	sort.Strings(names)
	return nil, fmt.Errorf("no policy named %q in %s; its policies are: %s", name, m.Dir, joinQuoted(names))
}

func cmpName(f Found) string {
	if f.Policy.IsUnknown("name") {
		return f.Label
	}
	return f.Policy.Name
}

func joinQuoted(names []string) string {
	out := ""
	for i, n := range names {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%q", n)
	}
	return out
}

// reader reads literal attributes of one block, listing the rest as unknown.
type reader struct {
	attrs   hclsyntax.Attributes
	unknown *[]string
}

func (r reader) value(name string, want cty.Type) (cty.Value, bool) {
	a, ok := r.attrs[name]
	if !ok {
		return cty.NilVal, false
	}
	v, diags := a.Expr.Value(nil)
	if !diags.HasErrors() && v.IsWhollyKnown() && !v.IsNull() {
		if v, err := convert.Convert(v, want); err == nil {
			return v, true
		}
	}
	r.unknownAttr(name)
	return cty.NilVal, false
}

func (r reader) unknownAttr(name string) {
	if !slices.Contains(*r.unknown, name) {
		*r.unknown = append(*r.unknown, name)
	}
}

func (r reader) str(name string) string {
	if v, ok := r.value(name, cty.String); ok {
		return v.AsString()
	}
	return ""
}

func (r reader) strings(name string) []string {
	v, ok := r.value(name, cty.List(cty.String))
	if !ok {
		return nil
	}
	out := []string{}
	for _, e := range v.AsValueSlice() {
		out = append(out, e.AsString())
	}
	return out
}

func (r reader) int(name string) *int {
	v, ok := r.value(name, cty.Number)
	if !ok {
		return nil
	}
	n, acc := v.AsBigFloat().Int64()
	if acc != 0 {
		r.unknownAttr(name)
		return nil
	}
	i := int(n)
	return &i
}

func (r reader) bool(name string) *bool {
	v, ok := r.value(name, cty.Bool)
	if !ok {
		return nil
	}
	b := v.True()
	return &b
}

func (r reader) duration(name string) *time.Duration {
	s := r.str(name)
	if s == "" {
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		r.unknownAttr(name)
		return nil
	}
	return &d
}

// readPolicy reads a policy block as policy.New reads a plan's. Unknown
// attributes of the reason and break_glass blocks count as the block
// unknown, as in a plan.
func readPolicy(body *hclsyntax.Body) *policy.Policy {
	var unknown []string
	top := reader{attrs: body.Attributes, unknown: &unknown}
	c := policy.Config{
		Name:                  top.str("name"),
		Scopes:                top.strings("scopes"),
		MaxDuration:           top.duration("max_duration"),
		RequiredApprovals:     top.int("required_approvals"),
		Approvers:             top.strings("approvers"),
		Requesters:            top.strings("requesters"),
		MaxActivePerPrincipal: top.int("max_active_per_principal"),
		GovernanceApprovals:   top.int("governance_approvals"),
		Exclusive:             top.bool("exclusive"),
	}
	if v, ok := top.value("standing", cty.Map(cty.String)); ok {
		c.Standing = map[string]string{}
		for k, e := range v.AsValueMap() {
			c.Standing[k] = e.AsString()
		}
	}
	for _, b := range body.Blocks {
		var blockUnknown []string
		r := reader{attrs: b.Body.Attributes, unknown: &blockUnknown}
		switch b.Type {
		case "reason":
			c.Reason = &policy.ReasonConfig{MinLength: r.int("min_length"), Pattern: r.str("pattern"),
				TicketRequired: r.bool("ticket_required"), TicketPattern: r.str("ticket_pattern")}
		case "break_glass":
			c.BreakGlass = &policy.BreakGlassConfig{Enabled: r.bool("enabled"), MaxDuration: r.duration("max_duration"),
				RequiredApprovals: r.int("required_approvals"), ReviewWithin: r.duration("review_within")}
		}
		if len(blockUnknown) > 0 {
			unknown = append(unknown, b.Type)
		}
	}
	c.ID, c.Unknown = c.Name, unknown
	return policy.New(c)
}
