package request

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
)

// Request is what someone asks for, as the flags of `jit-gate request` give it.
type Request struct {
	Policy, Principal, Scope, Duration, Reason, Ticket string
	BreakGlass                                         bool
}

// Draft is a checked request, ready to be written and proposed.
type Draft struct {
	Request
	Resource string // the jit_elevation's resource name
	File     string // path of the new file, inside the module's directory
	HCL      []byte
	Branch   string
	Title    string
	Policy   *policy.Policy
	// Approvals is how many approvals the request needs up front.
	Approvals int
	// Reviewers are the policy's approvers, minus the principal, whose
	// approval never counts: logins and "ORG/SLUG" teams.
	Reviewers, TeamReviewers []string
	// Unchecked are the checks that need values the files do not hold
	// (a policy attribute from a variable, a team's members): the gate
	// makes them on the pull request.
	Unchecked []policy.Finding
}

// Refused is a request its policy does not allow.
type Refused struct {
	Policy   string
	Findings []policy.Finding
}

func (e *Refused) Error() string {
	msgs := make([]string, len(e.Findings))
	for i, f := range e.Findings {
		msgs[i] = fmt.Sprintf("%s (%s)", f.Message, f.Rule)
	}
	return fmt.Sprintf("policy %q does not allow this request: %s", e.Policy, strings.Join(msgs, "; "))
}

// Prepare checks the request as the provider would plan it, against the
// module's policy, and drafts its block. A request its policy refuses is
// a *Refused; malformed input is another error.
func Prepare(m *Module, req Request, now time.Time) (*Draft, error) {
	if err := policy.CheckShape(req.Principal, req.Scope, req.Duration, req.Reason, req.Ticket); err != nil {
		return nil, err
	}
	found, err := m.Policy(req.Policy)
	if err != nil {
		return nil, err
	}
	d, _ := policy.ParseDuration(req.Duration)
	el := &policy.Elevation{PolicyID: found.Policy.ID, Principal: req.Principal, Scope: req.Scope,
		Reason: req.Reason, Ticket: req.Ticket, Duration: d, BreakGlass: req.BreakGlass}
	draft := &Draft{Request: req, Policy: found.Policy}
	var refused []policy.Finding
	for _, f := range policy.Check(el, found.Policy, nil) {
		if f.Unknown {
			draft.Unchecked = append(draft.Unchecked, f)
		} else {
			refused = append(refused, f)
		}
	}
	if len(refused) > 0 {
		return nil, &Refused{Policy: req.Policy, Findings: refused}
	}
	draft.Approvals = found.Policy.ApprovalsRequired(req.BreakGlass)
	for _, a := range found.Policy.Approvers {
		ref, err := policy.ParseRef(a)
		switch {
		case err != nil:
		case ref.IsTeam():
			draft.TeamReviewers = append(draft.TeamReviewers, ref.Team.Key())
		case !strings.EqualFold(ref.Login, req.Principal):
			draft.Reviewers = append(draft.Reviewers, ref.Login)
		}
	}
	slices.Sort(draft.Reviewers)
	slices.Sort(draft.TeamReviewers)
	sc, _ := scope.Parse(req.Scope)
	draft.Resource = m.freeName(resourceName(req.Principal, sc, now))
	draft.File = filepath.Join(m.Dir, "elevation_"+draft.Resource+".tf")
	draft.Branch = "jit/" + strings.ReplaceAll(draft.Resource, "_", "-")
	draft.Title = fmt.Sprintf("JIT access: %s to %s for %s", req.Principal, sc, policy.FormatDuration(d))
	draft.HCL = block(draft, found.Label)
	return draft, nil
}

var notIdent = regexp.MustCompile(`[^a-z0-9]+`)

// resourceName says who gets what and when: alice_acme_payments_admin_20261202.
func resourceName(principal string, sc scope.Scope, now time.Time) string {
	name := strings.Join([]string{principal, sc.Owner, sc.Name, sc.Level, now.UTC().Format("20060102")}, "_")
	name = strings.Trim(notIdent.ReplaceAllString(strings.ToLower(name), "_"), "_")
	if name[0] >= '0' && name[0] <= '9' {
		name = "jit_" + name
	}
	return name
}

// freeName adds _2, _3, ... until neither an elevation nor a file has the name.
func (m *Module) freeName(base string) string {
	name := base
	for i := 2; slices.Contains(m.Elevations, name) || slices.Contains(m.Files, "elevation_"+name+".tf"); i++ {
		name = fmt.Sprintf("%s_%d", base, i)
	}
	return name
}

// block writes the elevation with hclwrite, which escapes quotes, newlines
// and template sequences ("${", "%{"), so no text a requester wrote can
// become an expression.
func block(d *Draft, policyLabel string) []byte {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	body.AppendUnstructuredTokens(hclwrite.Tokens{{Type: hclsyntax.TokenComment,
		Bytes: []byte(fmt.Sprintf("# Written by jit-gate request; approvals needed: %d.\n", d.Approvals))}})
	b := body.AppendNewBlock("resource", []string{elevationType, d.Resource}).Body()
	b.SetAttributeTraversal("policy_id", hcl.Traversal{
		hcl.TraverseRoot{Name: policyType}, hcl.TraverseAttr{Name: policyLabel}, hcl.TraverseAttr{Name: "id"}})
	b.SetAttributeValue("principal", cty.StringVal(d.Principal))
	b.SetAttributeValue("scope", cty.StringVal(d.Scope))
	b.SetAttributeValue("duration", cty.StringVal(d.Duration))
	b.SetAttributeValue("reason", cty.StringVal(d.Reason))
	if d.Ticket != "" {
		b.SetAttributeValue("ticket", cty.StringVal(d.Ticket))
	}
	if d.BreakGlass {
		b.SetAttributeValue("break_glass", cty.True)
	}
	return hclwrite.Format(f.Bytes())
}

// Write creates the draft's file; it never overwrites one.
func (d *Draft) Write() error {
	f, err := os.OpenFile(d.File, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s exists already: run jit-gate request again for a free name", d.File)
		}
		return err
	}
	if _, err := f.Write(d.HCL); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
