package policy

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/jitgate/terraform-provider-jit/internal/scope"
)

// The rule ids (jit-gate's, from DESIGN) that the checks report under.
const (
	RuleScope     = "policy.scope"
	RuleDuration  = "policy.duration"
	RuleReason    = "policy.reason"
	RuleRequester = "policy.requester"
	// RuleApprovals: break-glass requested under a policy that does not
	// enable it, which no number of approvals can make right.
	RuleApprovals = "approval.insufficient"
)

// Finding is one way an elevation breaks its policy, or could not be
// checked against it.
type Finding struct {
	Rule      string // one of the Rule* ids
	Attribute string // the elevation attribute at fault, e.g. "duration"
	Message   string
	// Unknown is a check that could not be made because a value is unknown
	// at plan time (or, for the provider, a team's members): the gate
	// blocks on it, the provider leaves it to the gate.
	Unknown bool
}

// Check judges an elevation against its policy: scope, duration, reason and
// ticket, requester and break-glass, in that order. pol nil (no policy
// found) leaves only the findings about the elevation's own unknown values.
func Check(el *Elevation, pol *Policy, members Members) []Finding {
	return slices.Concat(CheckScope(el, pol), CheckDuration(el, pol), CheckReason(el, pol),
		CheckRequester(el, pol, members), CheckBreakGlass(el, pol))
}

// unknown is the finding for an elevation attribute unknown at plan time.
func unknown(rule, attr string) Finding {
	return Finding{Rule: rule, Attribute: attr, Unknown: true,
		Message: attr + " is unknown at plan time; a request must be known to be reviewed"}
}

func unknownPolicy(rule, attr string, pol *Policy, what string) Finding {
	return Finding{Rule: rule, Attribute: attr, Unknown: true,
		Message: fmt.Sprintf("policy %q %s unknown at plan time", pol.DisplayName(), what)}
}

func finding(rule, attr, format string, args ...any) Finding {
	return Finding{Rule: rule, Attribute: attr, Message: fmt.Sprintf(format, args...)}
}

// CheckScope: the scope is concrete and one of the policy's patterns allows it.
func CheckScope(el *Elevation, pol *Policy) []Finding {
	switch {
	case el.IsUnknown("scope"):
		return []Finding{unknown(RuleScope, "scope")}
	case pol == nil:
		return nil
	case pol.IsUnknown("scopes"):
		return []Finding{unknownPolicy(RuleScope, "scope", pol, "scopes are")}
	}
	if _, err := scope.Parse(el.Scope); err != nil {
		return []Finding{finding(RuleScope, "scope", "%v", err)}
	}
	if !slices.ContainsFunc(pol.Scopes, func(p string) bool { return scope.MatchString(p, el.Scope) }) {
		return []Finding{finding(RuleScope, "scope", "scope %q is not allowed by policy %q scopes [%s]", el.Scope, pol.DisplayName(), strings.Join(pol.Scopes, ", "))}
	}
	return nil
}

// CheckDuration: the duration is positive, within the policy's limit (the
// break-glass one for a break-glass elevation) and within the ceiling.
func CheckDuration(el *Elevation, pol *Policy) []Finding {
	switch {
	case el.IsUnknown("duration"):
		return []Finding{unknown(RuleDuration, "duration")}
	case pol == nil:
		return nil
	}
	limit, limitName, attr := pol.DurationLimit(el.BreakGlass)
	switch {
	case pol.IsUnknown(attr):
		return []Finding{unknownPolicy(RuleDuration, "duration", pol, limitName+" is")}
	case el.Duration > 0 && el.Duration > limit:
		return []Finding{finding(RuleDuration, "duration", "duration %s exceeds policy %q %s %s",
			FormatDuration(el.Duration), pol.DisplayName(), limitName, FormatDuration(limit))}
	}
	if err := ValidDuration(el.Duration); err != nil {
		return []Finding{finding(RuleDuration, "duration", "duration %v", err)}
	}
	return nil
}

// CheckReason: the reason is long enough, in visible characters (so padding
// and zero-width characters cannot make up the length), and matches the
// policy's pattern; the ticket is there (visibly) when required and matches
// its pattern.
func CheckReason(el *Elevation, pol *Policy) []Finding {
	var out []Finding
	for _, a := range []string{"reason", "ticket"} {
		if el.IsUnknown(a) {
			out = append(out, unknown(RuleReason, a))
		}
	}
	switch {
	case pol == nil:
		return out
	case pol.IsUnknown("reason"):
		return append(out, unknownPolicy(RuleReason, "reason", pol, "reason rules are"))
	}
	name, rule := pol.DisplayName(), pol.Reason
	if !el.IsUnknown("reason") {
		if n := VisibleLength(el.Reason); n < rule.MinLength {
			out = append(out, finding(RuleReason, "reason", "reason is %d visible characters, below policy %q reason.min_length %d", n, name, rule.MinLength))
		}
		out = append(out, checkPattern(name, "reason", el.Reason, "reason.pattern", rule.Pattern)...)
	}
	if el.IsUnknown("ticket") {
		return out
	}
	ticket := VisibleLength(el.Ticket) > 0
	if rule.TicketRequired && !ticket {
		out = append(out, finding(RuleReason, "ticket", "ticket is empty but policy %q sets reason.ticket_required", name))
	}
	if ticket {
		out = append(out, checkPattern(name, "ticket", el.Ticket, "reason.ticket_pattern", rule.TicketPattern)...)
	}
	return out
}

func checkPattern(name, what, value, attr, pattern string) []Finding {
	if pattern == "" {
		return nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return []Finding{finding(RuleReason, what, "policy %q %s %q is not a valid RE2 expression: %v", name, attr, pattern, err)}
	}
	if !re.MatchString(value) {
		return []Finding{finding(RuleReason, what, "%s %q does not match policy %q %s %q", what, value, name, attr, pattern)}
	}
	return nil
}

// CheckRequester: the principal is a login and, when the policy names
// requesters, one of them or a member of one of their teams.
func CheckRequester(el *Elevation, pol *Policy, members Members) []Finding {
	switch {
	case el.IsUnknown("principal"):
		return []Finding{unknown(RuleRequester, "principal")}
	case pol == nil:
		return nil
	case !scope.ValidLogin(el.Principal):
		return []Finding{finding(RuleRequester, "principal", "principal %q is not a valid GitHub login", el.Principal)}
	case pol.IsUnknown("requesters"):
		return []Finding{unknownPolicy(RuleRequester, "principal", pol, "requesters are")}
	case len(pol.Requesters) == 0:
		return nil
	}
	switch listed, decided := Listed(pol.Requesters, el.Principal, members); {
	case listed:
		return nil
	case !decided:
		return []Finding{{Rule: RuleRequester, Attribute: "principal", Unknown: true,
			Message: fmt.Sprintf("principal %q is not among policy %q requesters by name; whether a team of them has the principal is not known here", el.Principal, pol.DisplayName())}}
	}
	return []Finding{finding(RuleRequester, "principal", "principal %q is not among policy %q requesters [%s]",
		el.Principal, pol.DisplayName(), strings.Join(pol.Requesters, ", "))}
}

// CheckBreakGlass: a break-glass elevation needs a policy that enables it.
func CheckBreakGlass(el *Elevation, pol *Policy) []Finding {
	switch {
	case el.IsUnknown("break_glass"):
		return []Finding{unknown(RuleApprovals, "break_glass")}
	case pol == nil || !el.BreakGlass || pol.BreakGlass.Enabled:
		return nil
	}
	return []Finding{finding(RuleApprovals, "break_glass", "break_glass is requested but policy %q does not enable break_glass", pol.DisplayName())}
}
