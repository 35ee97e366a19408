# The threshold rules jit-gate applies to each requested elevation, written
# for conftest so the benchmark compares the gate with a policy engine doing
# the same work: scope glob, duration, reason length and approvals counted
# from data.pr (the facts jit-gate would fetch from the pull request).
# Each message starts with jit-gate's rule id, so run.sh can check that both
# tools find the same violations.
package main

# Policies present after the plan, by id (= name, known at plan time).
policies[name] := after if {
	some rc in input.resource_changes
	rc.mode == "managed"
	rc.type == "jit_optout_policy"
	after := rc.change.after
	after != null
	name := after.name
}

# Elevations the plan grants: create and replace.
requests contains rc if {
	some rc in input.resource_changes
	rc.mode == "managed"
	rc.type == "jit_elevation"
	"create" in rc.change.actions
}

hard_max_ns := 168 * 3600 * 1000000000

deny contains msg if {
	some rc in requests
	el := rc.change.after
	not policies[el.policy_id]
	msg := sprintf("policy.missing %s: policy_id %q matches no jit_optout_policy in the plan", [rc.address, el.policy_id])
}

deny contains msg if {
	some rc in requests
	el := rc.change.after
	pol := policies[el.policy_id]
	not scope_allowed(pol.scopes, el.scope)
	msg := sprintf("policy.scope %s: scope %q is not allowed by policy %q", [rc.address, el.scope, pol.name])
}

deny contains msg if {
	some rc in requests
	el := rc.change.after
	pol := policies[el.policy_id]
	d := time.parse_duration_ns(el.duration)
	limit := max_duration_ns(pol, el)
	not d <= limit
	msg := sprintf("policy.duration %s: duration %s exceeds policy %q limit", [rc.address, el.duration, pol.name])
}

deny contains msg if {
	some rc in requests
	el := rc.change.after
	time.parse_duration_ns(el.duration) > hard_max_ns
	msg := sprintf("policy.duration %s: duration %s exceeds the hard ceiling 168h", [rc.address, el.duration])
}

deny contains msg if {
	some rc in requests
	el := rc.change.after
	pol := policies[el.policy_id]
	n := count(trim_space(el.reason))
	n < min_reason(pol)
	msg := sprintf("policy.reason %s: reason is %d characters, below policy %q reason.min_length %d", [rc.address, n, pol.name, min_reason(pol)])
}

deny contains msg if {
	some rc in requests
	el := rc.change.after
	pol := policies[el.policy_id]
	got := approvals(pol, el)
	want := required_approvals(pol, el)
	got < want
	msg := sprintf("approval.insufficient %s: %d of %d required approvals from policy %q approvers", [rc.address, got, want, pol.name])
}

# A `*` pattern segment matches one whole segment: glob.match with ":" and
# "/" as delimiters. Team scopes without a level mean "member".
scope_allowed(patterns, s) if {
	some p in patterns
	glob.match(canonical(p), [":", "/"], canonical(s))
}

canonical(s) := lower(concat(":", array.concat(parts, ["member"]))) if {
	parts := split(s, ":")
	count(parts) == 3
	parts[1] == "team"
} else := lower(s)

break_glass(pol, el) if {
	el.break_glass == true
	pol.break_glass.enabled == true
}

max_duration_ns(pol, el) := time.parse_duration_ns(pol.break_glass.max_duration) if {
	break_glass(pol, el)
} else := time.parse_duration_ns(pol.max_duration)

required_approvals(pol, el) := pol.break_glass.required_approvals if {
	break_glass(pol, el)
} else := pol.required_approvals

min_reason(pol) := n if {
	n := pol.reason.min_length
	n != null
} else := 20

# Approvals on the head commit (data.pr.approved_by) count when given by an
# approver of the policy who is neither the PR author nor the principal.
approvals(pol, el) := count({login |
	some login in data.pr.approved_by
	lower(login) != lower(el.principal)
	lower(login) != lower(data.pr.author)
	approver(pol, login)
})

approver(pol, login) if {
	some a in pol.approvers
	lower(a) == lower(login)
}

approver(pol, login) if {
	some a in pol.approvers
	startswith(lower(a), "team:")
	some m in object.get(data.pr.team_members, substring(lower(a), 5, -1), [])
	lower(m) == lower(login)
}
