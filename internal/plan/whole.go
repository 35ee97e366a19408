package plan

import (
	"bytes"
	"fmt"

	"github.com/go-json-experiment/json/jsontext"
)

// WholePlan is what the rules that judge every change in a plan read
// (DESIGN, "The whole plan is judged"): each change with the provider that
// makes it, the values of the changes that grant GitHub access by
// themselves, and the configuration, for provisioners and provider
// configurations. Plan embeds it.
type WholePlan struct {
	Changes       []ResourceChange // every resource_changes entry, of every type and mode, in plan order
	Access        []AccessChange   // every change of an access-granting type (AccessGrant), no-op included
	Configuration *Configuration   // nil when the plan has no configuration section
}

// ResourceChange is one resource_changes entry of any type and mode.
type ResourceChange struct {
	Resource
	ProviderName string // the provider that plans and applies it, e.g. registry.terraform.io/jitgate/jit
	Action       Action
}

// AccessChange is a planned change of a resource type that grants GitHub
// access by itself. Before and After are the whole objects; the parts of
// After that are known only after apply are marked Unknown.
type AccessChange struct {
	ResourceChange
	Grants string // what the type grants, as AccessGrant says
	Before Value  // null when the object does not exist before
	After  Value  // null when it does not exist after
}

// accessTypes are the managed resource types whose changes grant GitHub
// access without a jit_elevation, with what each grants. They are
// integrations/github's resources that put a user, a team, an IdP group, a
// key or an app in an organization, a team or a repository, assign or widen
// an organization role, or widen every member's access at once. Rules on
// branch protection, rulesets and environments (which weaken review rather
// than grant access) are not here: like every change, they are judged as
// changes of other types.
var accessTypes = map[string]string{
	"github_membership":                        "organization membership (role member or admin, the owner role)",
	"github_team_membership":                   "team membership (role member or maintainer)",
	"github_team_members":                      "team memberships, authoritative for the team",
	"github_team_sync_group_mapping":           "team membership for every member of the mapped IdP groups",
	"github_emu_group_mapping":                 "team membership for every member of the mapped external group",
	"github_team":                              "a team, and through parent_team_id the parent team's repository access to its members",
	"github_repository_collaborator":           "repository permission to a user",
	"github_repository_collaborators":          "repository permissions to users and teams, authoritative for the repository",
	"github_team_repository":                   "repository permission to every member of a team",
	"github_user_invitation_accepter":          "the provider's own account accepts a repository invitation",
	"github_repository_deploy_key":             "repository access (read or write) to whoever holds an SSH key",
	"github_app_installation_repository":       "repository access to a GitHub App installation",
	"github_app_installation_repositories":     "repository access to a GitHub App installation, authoritative for it",
	"github_organization_role_team":            "an organization role to a team",
	"github_organization_role_team_assignment": "an organization role to a team",
	"github_organization_role_user":            "an organization role to a user",
	"github_organization_security_manager":     "the security manager role (read on every repository) to a team",
	"github_organization_role":                 "what holders of a custom organization role may do",
	"github_organization_custom_role":          "what holders of a custom repository role may do",
	"github_organization_repository_role":      "what holders of a custom repository role may do",
	"github_organization_settings":             "every member's base permission on every repository (default_repository_permission)",
	"github_enterprise_organization":           "organization ownership to the enterprise organization's admin_logins",
	"github_repository":                        "read access to everyone or to the enterprise, through visibility",
}

// AccessGrant says what changes of a managed resource type grant by
// themselves; ok is false for a type that is not access-granting.
func AccessGrant(typ string) (grants string, ok bool) {
	grants, ok = accessTypes[typ]
	return grants, ok
}

// addEntry adds a resource_changes entry to the typed model (addChange)
// and to the whole plan.
func (p *Plan) addEntry(e *rawEntry) error {
	if err := p.addChange(e); err != nil {
		return err
	}
	action, _ := parseActions(e.Change.Actions) // addChange refused the actions it does not know
	c := ResourceChange{Resource: e.resource(), ProviderName: e.ProviderName, Action: action}
	p.Changes = append(p.Changes, c)
	grants, ok := accessTypes[e.Type]
	if !ok || e.Mode != "managed" {
		return nil
	}
	a := AccessChange{ResourceChange: c, Grants: grants}
	var err error
	if a.Before, err = parseValue(e.Change.Before); err != nil {
		return fmt.Errorf("before: %w", err)
	}
	if a.After, err = parseValue(e.Change.After); err != nil {
		return fmt.Errorf("after: %w", err)
	}
	unknown, err := parseValue(e.Change.AfterUnknown)
	if err != nil {
		return fmt.Errorf("after_unknown: %w", err)
	}
	if unknown.Kind != ValueNull && unknown.Kind != ValueBool && unknown.Kind != ValueObject {
		return fmt.Errorf("after_unknown is %s, want an object", unknown.Kind)
	}
	a.After = withUnknown(a.After, unknown)
	p.Access = append(p.Access, a)
	return nil
}

// ValueKind is the kind of a Value, as JSON has them.
type ValueKind string

// Value kinds. Terraform writes lists, sets, tuples and list blocks as JSON
// arrays, and objects, maps and single blocks as JSON objects.
const (
	ValueNull   ValueKind = "null"
	ValueBool   ValueKind = "bool"
	ValueNumber ValueKind = "number"
	ValueString ValueKind = "string"
	ValueList   ValueKind = "list"
	ValueObject ValueKind = "object"
)

// Value is a value from a plan in a generic form the rules can query: an
// attribute is looked up with Attr, a string read with Text, and any part
// known only after apply is Unknown (its Kind is then null). The zero Value
// is null, which is also what Attr gives for an attribute the object lacks.
type Value struct {
	Kind    ValueKind // "" reads as null
	Unknown bool      // known only after apply
	Str     string    // a string's value, or a number's JSON text
	Bool    bool
	List    []Value
	Object  map[string]Value
}

// Attr returns the attribute name of an object (null when it has none).
func (v Value) Attr(name string) Value { return v.Object[name] }

// Text returns a known string's value; ok is false for anything else.
func (v Value) Text() (s string, ok bool) {
	return v.Str, v.Kind == ValueString && !v.Unknown
}

// IsNull reports whether v is null and known.
func (v Value) IsNull() bool {
	return !v.Unknown && (v.Kind == "" || v.Kind == ValueNull)
}

// HasUnknown reports whether v, or anything inside it, is known only after apply.
func (v Value) HasUnknown() bool { return v.any(func(v Value) bool { return v.Unknown }) }

// any reports whether f holds for v or for anything inside it.
func (v Value) any(f func(Value) bool) bool {
	if f(v) {
		return true
	}
	for _, e := range v.List {
		if e.any(f) {
			return true
		}
	}
	for _, e := range v.Object {
		if e.any(f) {
			return true
		}
	}
	return false
}

// parseValue decodes raw JSON (valid, as the reader checked it) into a
// Value; nothing reads as null.
func parseValue(raw []byte) (Value, error) {
	if len(raw) == 0 {
		return Value{Kind: ValueNull}, nil
	}
	d := &decoder{dec: jsontext.NewDecoder(bytes.NewBuffer(raw))}
	return d.value()
}

// value reads the next value whole.
func (d *decoder) value() (Value, error) {
	switch d.dec.PeekKind() {
	case '{':
		v := Value{Kind: ValueObject, Object: map[string]Value{}}
		err := d.object(func(name []byte) error {
			key := string(name)
			m, err := d.value()
			v.Object[key] = m
			return err
		})
		return v, err
	case '[':
		v := Value{Kind: ValueList, List: []Value{}}
		err := d.array(func() error {
			e, err := d.value()
			v.List = append(v.List, e)
			return err
		})
		return v, err
	}
	tok, err := d.dec.ReadToken()
	if err != nil {
		return Value{}, err
	}
	switch tok.Kind() {
	case 't', 'f':
		return Value{Kind: ValueBool, Bool: tok.Bool()}, nil
	case '"':
		return Value{Kind: ValueString, Str: tok.String()}, nil
	case '0':
		return Value{Kind: ValueNumber, Str: tok.String()}, nil
	}
	return Value{Kind: ValueNull}, nil
}

// withUnknown marks the parts of v that after_unknown u says are unknown.
// Terraform leaves unknown attributes out of after, and writes unknown list
// elements as null, so marks may name what v does not have.
func withUnknown(v, u Value) Value {
	switch {
	case u.Kind == ValueBool && u.Bool:
		return Value{Kind: ValueNull, Unknown: true}
	case u.Kind == ValueObject && u.hasTrue():
		if v.Kind != ValueObject {
			v = Value{Kind: ValueObject, Object: map[string]Value{}}
		}
		for k, uk := range u.Object {
			if uk.hasTrue() {
				v.Object[k] = withUnknown(v.Object[k], uk)
			}
		}
	case u.Kind == ValueList && u.hasTrue():
		if v.Kind != ValueList {
			v = Value{Kind: ValueList}
		}
		for i, ui := range u.List {
			if i == len(v.List) {
				v.List = append(v.List, Value{Kind: ValueNull})
			}
			v.List[i] = withUnknown(v.List[i], ui)
		}
	}
	return v
}

// hasTrue reports whether v is true or holds a true anywhere: in
// after_unknown, whether anything in it is unknown.
func (v Value) hasTrue() bool {
	return v.any(func(v Value) bool { return v.Kind == ValueBool && v.Bool })
}
