package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/sweep"
)

// Outcomes of the run a record is about.
const (
	OutcomeSuccess   = "success"   // the apply completed
	OutcomeFailure   = "failure"   // it failed: nothing may be taken as done
	OutcomeCancelled = "cancelled" // it was cancelled: the same
	OutcomeSkipped   = "skipped"   // nothing was applied (only follow-up findings are recorded)
)

// Record kinds: which run wrote a record.
const (
	KindApply   = "apply"   // jit-gate record --mode apply: an apply of a merged pull request
	KindDrift   = "drift"   // jit-gate record --mode drift: a scheduled or manual run
	KindRevoke  = "revoke"  // jit-gate revoke: access taken away at expiry, without a plan
	KindArchive = "archive" // jit-gate prune: ended elevations kept before their blocks go
	KindRotate  = "rotate"  // the audit log goes on in another issue
)

// AtApply stands for a time only known once the apply ran: the plan alone
// does not say when, only that it was before the record's time.
const AtApply = "at apply"

// recordVersion is the version of the JSON line.
const recordVersion = 1

// Record is one audit record: what a run granted, revoked or found, who
// approved it and where it ran. It is what the JSON line of each record
// comment holds (a record spread over several comments holds in each the
// entries that comment shows), and what `audit` rebuilds timelines from.
type Record struct {
	Version    int       `json:"v"`
	Kind       string    `json:"kind"`
	Repo       string    `json:"repo"`    // OWNER/NAME
	Outcome    string    `json:"outcome"` // Outcome*
	Commit     string    `json:"commit"`  // the commit applied or judged (GITHUB_SHA); "" when none
	PR         int       `json:"pr"`      // the merged pull request; 0 when there is none
	NoPR       string    `json:"no_pr,omitempty"`
	RunURL     string    `json:"run_url"` // the workflow run; "" when unknown
	RecordedAt time.Time `json:"recorded_at"`
	Part       int       `json:"part,omitempty"` // i of Parts, when the record spans several comments
	Parts      int       `json:"parts,omitempty"`

	Grants      []RecordGrant       `json:"grants"`
	Revocations []RecordRevocation  `json:"revocations"`
	Policies    []RecordPolicy      `json:"policies"`
	Unreviewed  []RecordFinding     `json:"unreviewed"` // break_glass.unreviewed findings
	Shadow      []gate.ShadowAccess `json:"shadow"`     // access.shadow: a policy's scope held with neither standing nor an elevation
	Swept       []sweep.Outcome     `json:"swept"`      // what jit-gate sweep removed, or could not, in this run
	ContinuedIn int                 `json:"continued_in,omitempty"`
}

// RecordGrant is one grant. From and To are RFC 3339 UTC, or AtApply ("at
// apply + 2h" for To) when only the plan was read.
type RecordGrant struct {
	Address    string   `json:"address"`
	ID         string   `json:"id"`
	Policy     string   `json:"policy"`
	Principal  string   `json:"principal"`
	Scope      string   `json:"scope"`
	Duration   string   `json:"duration"`
	From       string   `json:"from"`
	To         string   `json:"to"`
	Reason     string   `json:"reason"`
	Ticket     string   `json:"ticket"`
	BreakGlass bool     `json:"break_glass"`
	ApprovedBy []string `json:"approved_by"`
	// ContentKey is policy.ContentKey of the request, PR the pull request
	// it is attributed to and Verdict the gate's on it (pass or blocked):
	// the ledger that binds each grant to the review that allowed it.
	ContentKey string `json:"content_key"`
	PR         int    `json:"pr"`
	Verdict    string `json:"verdict"`
	// Archive records keep the elevation's whole state: its status, when
	// it ended and its history.
	Status    string         `json:"status,omitempty"`
	RevokedAt string         `json:"revoked_at,omitempty"`
	History   []policy.Event `json:"history,omitempty"`
}

// RecordRevocation is one revocation: the grant held since From, taken
// away At (RFC 3339 UTC or AtApply).
type RecordRevocation struct {
	Address   string `json:"address"`
	ID        string `json:"id"`
	Principal string `json:"principal"`
	Scope     string `json:"scope"`
	Why       string `json:"why"` // gate.Revoke*
	From      string `json:"from"`
	ExpiresAt string `json:"expires_at"`
	At        string `json:"at"`
}

// RecordPolicy is one governed policy change: what it loosened and who
// approved it.
type RecordPolicy struct {
	Address           string   `json:"address"`
	Action            string   `json:"action"`
	Loosened          []string `json:"loosened"`
	ApprovalsRequired int      `json:"approvals_required"`
	ApprovedBy        []string `json:"approved_by"`
	Verdict           string   `json:"verdict"`
}

// RecordFinding is one finding the record reports, such as an overdue
// break-glass review.
type RecordFinding struct {
	Address string `json:"address"`
	Message string `json:"message"`
}

// The JSON line: the record's entries, machine-readable, inside an HTML
// comment so that it does not show. encoding/json writes <, > and & as
// \u003c, \u003e and \u0026 and never a raw line break, so no text a user
// wrote can end the comment or the line early; @ is written \u0040 too, so
// that not even the hidden text mentions anyone.
const (
	linePrefix = "<!-- jit-gate-record "
	lineSuffix = " -->"
)

// jsonLine renders rec as its JSON line, with a trailing newline.
func jsonLine(rec Record) (string, error) {
	data, err := encode(rec)
	if err != nil {
		return "", err
	}
	return linePrefix + data + lineSuffix + "\n", nil
}

// encode is v as the JSON line writes it.
func encode(v any) (string, error) {
	data, err := json.Marshal(v)
	return strings.ReplaceAll(string(data), "@", `\u0040`), err
}

// errNoLine is a record comment without a JSON line it can be read from.
var errNoLine = errors.New("no JSON line")

// parseLine reads the one JSON line of a record comment's content.
func parseLine(content string) (Record, error) {
	var found []string
	for _, line := range strings.Split(content, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if inner, ok := strings.CutPrefix(line, linePrefix); ok {
			if inner, ok = strings.CutSuffix(inner, lineSuffix); ok {
				found = append(found, inner)
			}
		}
	}
	switch len(found) {
	case 0:
		return Record{}, errNoLine
	case 1:
	default:
		return Record{}, fmt.Errorf("%d JSON lines, want one", len(found))
	}
	var rec Record
	dec := json.NewDecoder(strings.NewReader(found[0]))
	if err := dec.Decode(&rec); err != nil {
		return Record{}, fmt.Errorf("JSON line: %w", err)
	}
	if dec.More() {
		return Record{}, errors.New("JSON line: more than one value")
	}
	if rec.Version != recordVersion {
		return Record{}, fmt.Errorf("JSON line: version %d, want %d", rec.Version, recordVersion)
	}
	return rec, nil
}

// id is the record's id: a digest of everything in it but the time it was
// recorded and its split into parts, so that posting the same record again
// (a POST retried after its answer was lost, a rerun of the same workflow
// run) finds the one already posted instead of adding a second.
func (rec Record) id() string {
	rec.RecordedAt, rec.Part, rec.Parts = time.Time{}, 0, 0
	data, _ := json.Marshal(rec) // cannot fail: plain data
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:10])
}

// normalize makes every list non-nil, so the JSON line always has them.
func (rec *Record) normalize() {
	rec.Version = recordVersion
	if rec.Grants == nil {
		rec.Grants = []RecordGrant{}
	}
	if rec.Revocations == nil {
		rec.Revocations = []RecordRevocation{}
	}
	if rec.Policies == nil {
		rec.Policies = []RecordPolicy{}
	}
	if rec.Unreviewed == nil {
		rec.Unreviewed = []RecordFinding{}
	}
	if rec.Shadow == nil {
		rec.Shadow = []gate.ShadowAccess{}
	}
	if rec.Swept == nil {
		rec.Swept = []sweep.Outcome{}
	}
	for i := range rec.Grants {
		if rec.Grants[i].ApprovedBy == nil {
			rec.Grants[i].ApprovedBy = []string{}
		}
	}
	for i := range rec.Policies {
		if rec.Policies[i].ApprovedBy == nil {
			rec.Policies[i].ApprovedBy = []string{}
		}
		if rec.Policies[i].Loosened == nil {
			rec.Policies[i].Loosened = []string{}
		}
	}
}
