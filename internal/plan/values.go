package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/policy"
)

func (p *Plan) addChange(e *rawEntry) error {
	p.ResourceCount++
	action, err := parseActions(e.Change.Actions)
	if err != nil {
		return err
	}
	managed := e.Mode == "managed"
	switch {
	case managed && e.Type == TypePolicy:
		c := PolicyChange{Resource: e.resource(), Action: action}
		if c.Before, c.After, c.Changed, err = decodeValues(e, decodePolicy); err != nil {
			return err
		}
		p.Policies = append(p.Policies, c)
	case managed && e.Type == TypeElevation:
		c := ElevationChange{Resource: e.resource(), Action: action}
		if c.Before, c.After, c.Changed, err = decodeValues(e, decodeElevation); err != nil {
			return err
		}
		p.Elevations = append(p.Elevations, c)
	case managed && action != ActionNoOp && action != ActionRead:
		p.Others = append(p.Others, Change{Resource: e.resource(), Action: action})
	}
	return nil
}

func (p *Plan) addDrift(e *rawEntry) error {
	action, err := parseActions(e.Change.Actions)
	if err != nil {
		return err
	}
	attrs, err := changedAttributes(e.Change.Before, e.Change.After, nil)
	if err != nil {
		return err
	}
	p.Drift = append(p.Drift, Drift{Resource: e.resource(), Action: action, Attributes: attrs})
	return nil
}

func parseActions(a []string) (Action, error) {
	switch strings.Join(a, ",") {
	case "create":
		return ActionCreate, nil
	case "update":
		return ActionUpdate, nil
	case "delete":
		return ActionDelete, nil
	case "delete,create":
		return ActionReplace, nil
	case "create,delete":
		return ActionReplaceCreateFirst, nil
	case "no-op":
		return ActionNoOp, nil
	case "read":
		return ActionRead, nil
	case "forget":
		return ActionForget, nil
	case "create,forget":
		return ActionCreateForget, nil
	}
	// An action this reader does not know could be anything: refuse the plan.
	return "", fmt.Errorf("unsupported change actions %q", a)
}

// decodeValues decodes before and after with decode, attaching the attributes
// unknown at plan time to after, and lists the attributes that change.
func decodeValues[T any](e *rawEntry, decode func(json.RawMessage, []string) (*T, error)) (before, after *T, changed []string, err error) {
	unknown, err := unknownAttributes(e.Change.AfterUnknown)
	if err != nil {
		return nil, nil, nil, err
	}
	if before, err = decode(e.Change.Before, nil); err != nil {
		return nil, nil, nil, fmt.Errorf("before: %w", err)
	}
	if after, err = decode(e.Change.After, unknown); err != nil {
		return nil, nil, nil, fmt.Errorf("after: %w", err)
	}
	if changed, err = changedAttributes(e.Change.Before, e.Change.After, unknown); err != nil {
		return nil, nil, nil, err
	}
	return before, after, changed, nil
}

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || bytes.Equal(raw, []byte("null"))
}

// unknownAttributes lists the top-level attributes of after_unknown that are
// unknown anywhere inside.
func unknownAttributes(raw json.RawMessage) ([]string, error) {
	if isNull(raw) {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("after_unknown is not an object: %w", err)
	}
	var names []string
	for k, v := range m {
		if anyTrue(v) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	return names, nil
}

func anyTrue(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case []any:
		return slices.ContainsFunc(v, anyTrue)
	case map[string]any:
		for _, e := range v {
			if anyTrue(e) {
				return true
			}
		}
	}
	return false
}

// changedAttributes lists the top-level attributes whose value differs
// between before and after (a missing object has no attributes), plus those
// unknown after.
func changedAttributes(beforeRaw, afterRaw json.RawMessage, unknown []string) ([]string, error) {
	before, err := attributes(beforeRaw)
	if err != nil {
		return nil, fmt.Errorf("before: %w", err)
	}
	after, err := attributes(afterRaw)
	if err != nil {
		return nil, fmt.Errorf("after: %w", err)
	}
	changed := slices.Clone(unknown)
	for k, a := range after {
		if !slices.Contains(changed, k) && !sameJSON(before[k], a) {
			changed = append(changed, k)
		}
	}
	for k, b := range before {
		if _, ok := after[k]; !ok && !slices.Contains(changed, k) && !isNull(b) {
			changed = append(changed, k)
		}
	}
	slices.Sort(changed)
	return changed, nil
}

func attributes(raw json.RawMessage) (map[string]json.RawMessage, error) {
	if isNull(raw) {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("not an object: %w", err)
	}
	return m, nil
}

// sameJSON compares two JSON values by meaning, not spelling; a missing value
// equals null.
func sameJSON(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) || (isNull(a) && isNull(b)) {
		return true
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

// block decodes a nested block written as an object, null, or (as some
// providers' list blocks are) a list of at most one object.
type block[T any] struct{ v *T }

func (b *block[T]) UnmarshalJSON(data []byte) error {
	if isNull(data) {
		return nil
	}
	if data = bytes.TrimSpace(data); data[0] == '[' {
		var l []T
		if err := json.Unmarshal(data, &l); err != nil {
			return err
		}
		switch len(l) {
		case 0:
		case 1:
			b.v = &l[0]
		default:
			return fmt.Errorf("want one block, got %d", len(l))
		}
		return nil
	}
	b.v = new(T)
	return json.Unmarshal(data, b.v)
}

type rawPolicy struct {
	ID                    string               `json:"id"`
	Name                  string               `json:"name"`
	Scopes                []string             `json:"scopes"`
	MaxDuration           *string              `json:"max_duration"`
	RequiredApprovals     *int                 `json:"required_approvals"`
	Approvers             []string             `json:"approvers"`
	Requesters            []string             `json:"requesters"`
	Reason                block[rawReason]     `json:"reason"`
	MaxActivePerPrincipal *int                 `json:"max_active_per_principal"`
	BreakGlass            block[rawBreakGlass] `json:"break_glass"`
	GovernanceApprovals   *int                 `json:"governance_approvals"`
	Standing              map[string]string    `json:"standing"`
	Exclusive             *bool                `json:"exclusive"`
	Observed              map[string][]string  `json:"observed"`
}

type rawReason struct {
	MinLength      *int   `json:"min_length"`
	Pattern        string `json:"pattern"`
	TicketRequired *bool  `json:"ticket_required"`
	TicketPattern  string `json:"ticket_pattern"`
}

type rawBreakGlass struct {
	Enabled           *bool   `json:"enabled"`
	MaxDuration       *string `json:"max_duration"`
	RequiredApprovals *int    `json:"required_approvals"`
	ReviewWithin      *string `json:"review_within"`
}

// decodePolicy reads a jit_optout_policy's values; policy.New applies the
// defaults.
func decodePolicy(raw json.RawMessage, unknown []string) (*policy.Policy, error) {
	if isNull(raw) {
		return nil, nil
	}
	var r rawPolicy
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, err
	}
	c := policy.Config{
		ID: r.ID, Name: r.Name, Scopes: r.Scopes, Approvers: r.Approvers, Requesters: r.Requesters,
		RequiredApprovals: r.RequiredApprovals, MaxActivePerPrincipal: r.MaxActivePerPrincipal,
		GovernanceApprovals: r.GovernanceApprovals, Standing: r.Standing, Exclusive: r.Exclusive,
		Observed: r.Observed, Unknown: unknown,
	}
	var err error
	if c.MaxDuration, err = duration("max_duration", r.MaxDuration); err != nil {
		return nil, err
	}
	if rr := r.Reason.v; rr != nil {
		c.Reason = &policy.ReasonConfig{MinLength: rr.MinLength, Pattern: rr.Pattern, TicketRequired: rr.TicketRequired, TicketPattern: rr.TicketPattern}
	}
	if bg := r.BreakGlass.v; bg != nil {
		c.BreakGlass = &policy.BreakGlassConfig{Enabled: bg.Enabled, RequiredApprovals: bg.RequiredApprovals}
		if c.BreakGlass.MaxDuration, err = duration("break_glass.max_duration", bg.MaxDuration); err != nil {
			return nil, err
		}
		if c.BreakGlass.ReviewWithin, err = duration("break_glass.review_within", bg.ReviewWithin); err != nil {
			return nil, err
		}
	}
	return policy.New(c), nil
}

type rawElevation struct {
	ID              string           `json:"id"`
	PolicyID        string           `json:"policy_id"`
	Principal       string           `json:"principal"`
	Scope           string           `json:"scope"`
	Reason          string           `json:"reason"`
	Ticket          string           `json:"ticket"`
	Duration        *string          `json:"duration"`
	BreakGlass      *bool            `json:"break_glass"`
	Status          string           `json:"status"`
	GrantedAt       string           `json:"granted_at"`
	ExpiresAt       string           `json:"expires_at"`
	RevokedAt       string           `json:"revoked_at"`
	PreviousAccess  string           `json:"previous_access"`
	GrantedByCommit string           `json:"granted_by_commit"`
	History         []policy.Event   `json:"history"`
	PrincipalID     int64            `json:"principal_id"`
	PrincipalLogin  string           `json:"principal_login"`
	Overlaps        []policy.Overlap `json:"overlaps"`
}

// DecodeElevation reads the values of a jit_elevation, as a plan or a state
// (`terraform show -json`) holds them; null is nil.
func DecodeElevation(raw json.RawMessage) (*policy.Elevation, error) {
	return decodeElevation(raw, nil)
}

func decodeElevation(raw json.RawMessage, unknown []string) (*policy.Elevation, error) {
	if isNull(raw) {
		return nil, nil
	}
	var r rawElevation
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, err
	}
	d, err := duration("duration", r.Duration)
	if err != nil {
		return nil, err
	}
	return &policy.Elevation{
		ID: r.ID, PolicyID: r.PolicyID, Principal: r.Principal, Scope: r.Scope, Reason: r.Reason, Ticket: r.Ticket,
		Duration: deref(d), BreakGlass: r.BreakGlass != nil && *r.BreakGlass,
		Status: r.Status, GrantedAt: r.GrantedAt, ExpiresAt: r.ExpiresAt, RevokedAt: r.RevokedAt,
		PreviousAccess: r.PreviousAccess, GrantedByCommit: r.GrantedByCommit, History: r.History,
		PrincipalID: r.PrincipalID, PrincipalLogin: r.PrincipalLogin, Overlaps: r.Overlaps,
		Unknown: unknown,
	}, nil
}

func deref(d *time.Duration) time.Duration {
	if d == nil {
		return 0
	}
	return *d
}

// duration parses a Go duration attribute; null (or unknown) is nil.
func duration(name string, s *string) (*time.Duration, error) {
	if s == nil {
		return nil, nil
	}
	d, err := time.ParseDuration(*s)
	if err != nil {
		return nil, fmt.Errorf("%s %q is not a Go duration", name, *s)
	}
	return &d, nil
}
