package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
)

// ContentKey identifies what an elevation requests, independent of the
// resource that holds it: the lowercase hex SHA-256 of its request
// attributes (policy_id, principal, scope, reason, duration, ticket,
// break_glass) in a fixed JSON form. Two elevations with the same key ask
// for the same thing, so the audit records can tie a grant to the pull
// request that introduced exactly that request, whatever its address. The
// principal compares case-insensitively, as logins do; the duration is in
// its shortest form, so "60m" and "1h" are one request.
func ContentKey(e *Elevation) string {
	form, _ := json.Marshal([]any{ // cannot fail: strings and a bool
		"jit-elevation-request/v1", e.PolicyID, strings.ToLower(e.Principal), e.Scope, e.Reason,
		FormatDuration(e.Duration), e.Ticket, e.BreakGlass,
	})
	sum := sha256.Sum256(form)
	return hex.EncodeToString(sum[:])
}
