package revoke

import (
	"fmt"
	"io"
	"strings"

	"github.com/jitgate/terraform-provider-jit/internal/audit"
	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/report"
)

// Result is one run: the `jit-gate revoke --format json` object, which
// `jit-gate record --revoked` reads.
type Result struct {
	DryRun   bool      `json:"dry_run"`
	Outcomes []Outcome `json:"outcomes"`
}

// Failed counts the revocations that failed.
func (r Result) Failed() int {
	n := 0
	for _, o := range r.Outcomes {
		if o.Result == Failed {
			n++
		}
	}
	return n
}

// Text writes the run for a terminal or a CI log, user text made Plain.
func Text(w io.Writer, r Result) error {
	counts := map[string]int{}
	for _, o := range r.Outcomes {
		counts[o.Result]++
	}
	var b strings.Builder
	done := fmt.Sprintf("%d revoked", counts[Revoked])
	if r.DryRun {
		done = fmt.Sprintf("%d would be revoked (dry run)", counts[WouldRevoke])
	}
	fmt.Fprintf(&b, "jit-gate revoke: %s, %d already gone, %d failed\n", done, counts[AlreadyGone], counts[Failed])
	for _, o := range r.Outcomes {
		who := report.Plain(o.Principal)
		if o.Login != "" && !strings.EqualFold(o.Login, o.Principal) {
			who += " (now " + report.Plain(o.Login) + ")"
		}
		fmt.Fprintf(&b, "  %s: %s, %s on %s (%s", o.Result, report.Plain(o.Address), who, report.Plain(o.Scope), o.Why)
		if o.Why == WhyExpired {
			fmt.Fprintf(&b, " at %s", report.Plain(o.ExpiresAt))
		}
		if lag, ok := o.Lag(); ok {
			fmt.Fprintf(&b, ", lag %s", lag)
		}
		fmt.Fprintf(&b, "), direct access left: %s", report.Plain(o.RestoredTo))
		if len(o.KeptBy) > 0 {
			b.WriteString(", kept by " + report.Plain(strings.Join(o.KeptBy, ", ")))
		}
		if o.Detail != "" {
			b.WriteString(": " + report.Plain(o.Detail))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Records are the audit entries of what the run took away: one revocation
// each, held since its grant, gone when this run saw it gone; the expiry
// lag is the time from ExpiresAt to At.
func Records(r Result) []audit.Revoked {
	out := []audit.Revoked{}
	for _, o := range r.Outcomes {
		if o.Result != Revoked {
			continue
		}
		who := o.Principal
		if o.Login != "" && !strings.EqualFold(o.Login, o.Principal) {
			who += " (now " + o.Login + ")"
		}
		why := gate.RevokeExpired
		switch o.Why {
		case WhyFoundAgain:
			why = gate.RevokeDrift
		case WhyUnreviewed:
			why = gate.RevokeUnreviewed
		}
		out = append(out, audit.Revoked{Address: o.Address, ID: o.ID, Principal: who, Scope: o.Scope, Why: why,
			GrantedAt: o.GrantedAt, ExpiresAt: o.ExpiresAt, At: o.GoneAt})
	}
	return out
}
