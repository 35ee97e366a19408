package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// The whole-plan model on testdata/plans/whole.json, a plan real Terraform
// wrote: integrations/github resources (served by the schema-only stand-in
// in testdata/providers/github-standin) changed every way, a local-exec
// provisioner, a second jit configuration pointing at another GitHub with
// its own token, and a module called with for_each on that configuration
// holding a module called with count.

func findAccess(t *testing.T, p *Plan, address string) AccessChange {
	t.Helper()
	for _, a := range p.Access {
		if a.Address == address {
			return a
		}
	}
	t.Fatalf("no access change %s in the plan", address)
	return AccessChange{}
}

func text(t *testing.T, v Value, attr string) string {
	t.Helper()
	s, ok := v.Attr(attr).Text()
	if !ok {
		t.Errorf("%s is %+v, want a known string", attr, v.Attr(attr))
	}
	return s
}

func TestFixtureWholeChanges(t *testing.T) {
	p := readFixture(t, "whole")
	if len(p.Changes) != p.ResourceCount || len(p.Changes) != 14 {
		t.Fatalf("%d changes for %d resources, want 14", len(p.Changes), p.ResourceCount)
	}
	const jit, gh, builtin = "registry.terraform.io/jitgate/jit", "registry.terraform.io/integrations/github", "terraform.io/builtin/terraform"
	want := map[string]struct {
		provider string
		action   Action
	}{
		`module.grant["dave"].jit_elevation.this`:                   {jit, ActionCreate},
		`module.grant["dave"].module.hook[0].terraform_data.notify`: {builtin, ActionCreate},
		"jit_optout_policy.decoy":                                   {jit, ActionCreate},
		"jit_optout_policy.oncall":                                  {jit, ActionNoOp},
		"github_repository_collaborator.frank":                      {gh, ActionReplace},
		"github_team_membership.dave":                               {gh, ActionDelete},
		"github_membership.mona":                                    {gh, ActionUpdate},
		"terraform_data.hook":                                       {builtin, ActionCreate},
		"github_team_sync_group_mapping.oncall":                     {gh, ActionCreate},
		"github_repository_collaborators.api":                       {gh, ActionCreate},
		"github_team.shadow":                                        {gh, ActionCreate},
		"github_team_membership.erin":                               {gh, ActionCreate},
		"github_team_members.sre":                                   {gh, ActionUpdate},
		"github_team_repository.sre_api":                            {gh, ActionUpdate},
	}
	for _, c := range p.Changes {
		w, ok := want[c.Address]
		if !ok || c.ProviderName != w.provider || c.Action != w.action {
			t.Errorf("%s: provider %q, action %q; want %+v", c.Address, c.ProviderName, c.Action, w)
		}
	}
	// jit_* resources keep their place in the typed model too.
	if len(p.Policies) != 2 || len(p.Elevations) != 1 || p.Elevations[0].ModuleAddress != `module.grant["dave"]` {
		t.Errorf("policies %+v, elevations %+v", p.Policies, p.Elevations)
	}
}

func TestFixtureAccessChanges(t *testing.T) {
	p := readFixture(t, "whole")
	var addresses []string
	for _, a := range p.Access {
		addresses = append(addresses, a.Address)
		if grants, ok := AccessGrant(a.Type); !ok || a.Grants != grants || a.ProviderName != "registry.terraform.io/integrations/github" {
			t.Errorf("%s: grants %q, provider %q", a.Address, a.Grants, a.ProviderName)
		}
	}
	wantAddresses := []string{"github_membership.mona", "github_repository_collaborator.frank", "github_repository_collaborators.api",
		"github_team.shadow", "github_team_members.sre", "github_team_membership.dave", "github_team_membership.erin",
		"github_team_repository.sre_api", "github_team_sync_group_mapping.oncall"}
	if !slices.Equal(addresses, wantAddresses) {
		t.Errorf("access changes %q, want %q", addresses, wantAddresses)
	}

	t.Run("role raised in place", func(t *testing.T) {
		a := findAccess(t, p, "github_membership.mona")
		if text(t, a.Before, "role") != "member" || text(t, a.After, "role") != "admin" || text(t, a.After, "username") != "mona" || a.After.HasUnknown() {
			t.Errorf("before %+v, after %+v; want mona from member to admin, all known", a.Before, a.After)
		}
	})
	t.Run("permission raised by a replacement", func(t *testing.T) {
		a := findAccess(t, p, "github_repository_collaborator.frank")
		if a.Action != ActionReplace || text(t, a.Before, "permission") != "push" || text(t, a.After, "permission") != "admin" {
			t.Errorf("%s %+v -> %+v; want push replaced by admin", a.Action, a.Before, a.After)
		}
		// Terraform leaves what it does not know yet out of after.
		if !a.After.Attr("invitation_id").Unknown || !a.After.Attr("id").Unknown {
			t.Errorf("after %+v: want invitation_id and id unknown", a.After)
		}
	})
	t.Run("a member of a team known only after apply", func(t *testing.T) {
		a := findAccess(t, p, "github_team_membership.erin")
		if !a.After.Attr("team_id").Unknown || !a.After.HasUnknown() || text(t, a.After, "username") != "erin" || text(t, a.After, "role") != "maintainer" {
			t.Errorf("after %+v: want erin as maintainer of an unknown team", a.After)
		}
		if _, ok := a.After.Attr("team_id").Text(); ok || !a.Before.IsNull() {
			t.Errorf("an unknown team_id reads as text, or a new membership has a before: %+v", a)
		}
	})
	t.Run("a membership removed", func(t *testing.T) {
		a := findAccess(t, p, "github_team_membership.dave")
		if a.Action != ActionDelete || !a.After.IsNull() || text(t, a.Before, "username") != "dave" || text(t, a.Before, "team_id") != "oncall" {
			t.Errorf("%s %+v -> %+v; want dave's oncall membership deleted", a.Action, a.Before, a.After)
		}
	})
	t.Run("authoritative member list", func(t *testing.T) {
		a := findAccess(t, p, "github_team_members.sre")
		members := a.After.Attr("members")
		if members.Kind != ValueList || len(members.List) != 2 || len(a.Before.Attr("members").List) != 1 {
			t.Fatalf("members %+v -> %+v; want one then two", a.Before.Attr("members"), members)
		}
		var got []string
		for _, m := range members.List {
			got = append(got, text(t, m, "username")+":"+text(t, m, "role"))
		}
		if !slices.Equal(got, []string{"alice:maintainer", "erin:member"}) {
			t.Errorf("members %q", got)
		}
	})
	t.Run("users and teams of a repository", func(t *testing.T) {
		a := findAccess(t, p, "github_repository_collaborators.api")
		user, team := a.After.Attr("user").List, a.After.Attr("team").List
		if len(user) != 1 || text(t, user[0], "username") != "mona" || text(t, user[0], "permission") != "admin" ||
			len(team) != 1 || text(t, team[0], "team_id") != "oncall" || text(t, team[0], "permission") != "maintain" {
			t.Errorf("user %+v, team %+v", user, team)
		}
		if !a.After.Attr("invitation_ids").Unknown || user[0].HasUnknown() {
			t.Errorf("after %+v: want invitation_ids unknown and the user known", a.After)
		}
	})
	t.Run("a parent team and an IdP group", func(t *testing.T) {
		if a := findAccess(t, p, "github_team.shadow"); text(t, a.After, "parent_team_id") != "oncall" {
			t.Errorf("github_team.shadow after %+v", a.After)
		}
		group := findAccess(t, p, "github_team_sync_group_mapping.oncall").After.Attr("group").List
		if len(group) != 1 || text(t, group[0], "group_id") != "g-4711" {
			t.Errorf("group %+v", group)
		}
	})
	// Other types' values are never decoded.
	for _, c := range p.Changes {
		if _, ok := AccessGrant(c.Type); !ok && slices.ContainsFunc(p.Access, func(a AccessChange) bool { return a.Address == c.Address }) {
			t.Errorf("%s is no access-granting type but has an access change", c.Address)
		}
	}
}

func TestFixtureConfiguration(t *testing.T) {
	p := readFixture(t, "whole")
	c := p.Configuration
	if c == nil {
		t.Fatal("no configuration")
	}
	var keys []string
	for k, pc := range c.Providers {
		keys = append(keys, k)
		if pc.Key != k {
			t.Errorf("provider %s has key %q", k, pc.Key)
		}
	}
	slices.Sort(keys)
	wantKeys := []string{"github", "jit", "jit.byvar", "jit.computed", "jit.decoy", "jit.dynamic", "module.grant.module.hook:terraform", "terraform"}
	if !slices.Equal(keys, wantKeys) {
		t.Errorf("provider configurations %q, want %q", keys, wantKeys)
	}

	t.Run("jit configurations", func(t *testing.T) {
		if pc := c.Providers["jit"]; pc.GitHub != nil || pc.Alias != "" || pc.FullName != "registry.terraform.io/jitgate/jit" {
			t.Errorf("default jit configuration %+v: want no github block (the environment's URL and token)", pc)
		}
		decoy := c.Providers["jit.decoy"]
		if decoy.Alias != "decoy" || decoy.Name != "jit" || decoy.GitHub == nil {
			t.Fatalf("jit.decoy %+v", decoy)
		}
		url, ok := decoy.GitHub.BaseURL.Constant.Text()
		if decoy.GitHub.BaseURL.Kind != ExprConstant || !ok || !strings.HasPrefix(url, "http://127.0.0.1:") {
			t.Errorf("jit.decoy base_url %+v, want the decoy's URL as a constant", decoy.GitHub.BaseURL)
		}
		if tok := decoy.GitHub.Token; tok.Kind != ExprConstant || !tok.Redacted || !tok.IsSet() || !reflect.DeepEqual(tok.Constant, Value{}) {
			t.Errorf("jit.decoy token %+v, want a constant that is set and not kept", tok)
		}
		byvar := c.Providers["jit.byvar"].GitHub
		if byvar == nil || byvar.BaseURL.Kind != ExprReference || !slices.Equal(byvar.BaseURL.References, []string{"var.github_api_url"}) ||
			byvar.Token.Kind != ExprReference || !byvar.Token.IsSet() {
			t.Errorf("jit.byvar github %+v, want both from variables", byvar)
		}
		if computed := c.Providers["jit.computed"].GitHub; computed == nil || computed.BaseURL.Kind != ExprComputed || !computed.BaseURL.IsSet() || computed.Token.IsSet() {
			t.Errorf("jit.computed github %+v, want base_url set to a value the plan does not show, and no token", computed)
		}
		// The plan shows nothing of a dynamic block: absence proves nothing.
		if pc := c.Providers["jit.dynamic"]; pc.GitHub != nil {
			t.Errorf("jit.dynamic %+v: Terraform wrote a github block for it after all; revisit GitHubBlock's comment", pc)
		}
		if c.Providers["github"].GitHub != nil {
			t.Error("the github provider's configuration read as a jit github block")
		}
	})

	t.Run("the inline token is not kept", func(t *testing.T) {
		raw, err := os.ReadFile(filepath.Join(fixtureDir, "whole.json"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(raw, []byte(`"decoy-token"`)) {
			t.Fatal("the fixture has no inline token: the test tests nothing")
		}
		if model := fmt.Sprintf("%#v", p); strings.Contains(model, "decoy-token") {
			t.Error("the plan model holds the inline token")
		}
	})

	t.Run("resource blocks", func(t *testing.T) {
		got := map[string]ConfigResource{}
		for _, r := range c.Resources {
			got[r.Address] = r
		}
		if len(got) != len(c.Resources) || len(got) != 13 {
			t.Errorf("%d resource blocks (%d addresses), want 13", len(c.Resources), len(got))
		}
		notify := got["module.grant.module.hook.terraform_data.notify"]
		if notify.ModuleAddress != "module.grant.module.hook" || notify.Type != "terraform_data" || notify.Name != "notify" ||
			notify.Mode != "managed" || !slices.Equal(notify.Provisioners, []string{"local-exec"}) {
			t.Errorf("nested module's block %+v", notify)
		}
		if hook := got["terraform_data.hook"]; !slices.Equal(hook.Provisioners, []string{"local-exec"}) || hook.ProviderConfigKey != "terraform" {
			t.Errorf("terraform_data.hook %+v", hook)
		}
		if el := got["module.grant.jit_elevation.this"]; el.ProviderConfigKey != "jit.decoy" || el.Provisioners != nil {
			t.Errorf("module.grant.jit_elevation.this %+v, want the decoy configuration passed in", el)
		}
		if pol := got["jit_optout_policy.oncall"]; pol.ProviderConfigKey != "jit" {
			t.Errorf("jit_optout_policy.oncall %+v", pol)
		}
	})

	t.Run("changes to their blocks", func(t *testing.T) {
		for _, ch := range p.Changes {
			res, ok := c.ResourceOf(ch.Resource)
			if ch.Address == "github_team_membership.dave" { // being destroyed: its block is gone
				if ok {
					t.Errorf("%s has a block %+v", ch.Address, res)
				}
				continue
			}
			if !ok || res.Type != ch.Type || res.Name != ch.Name {
				t.Errorf("%s: block %+v, %v", ch.Address, res, ok)
			}
		}
		el := p.Elevations[0].Resource
		if pc, ok := c.ProviderOf(el); !ok || pc.Key != "jit.decoy" || pc.GitHub == nil {
			t.Errorf("the elevation in module.grant[\"dave\"] uses %+v, %v; want jit.decoy", pc, ok)
		}
		for _, pol := range p.Policies {
			pc, ok := c.ProviderOf(pol.Resource)
			if want := map[string]string{"jit_optout_policy.decoy": "jit.decoy", "jit_optout_policy.oncall": "jit"}[pol.Address]; !ok || pc.Key != want {
				t.Errorf("policy %s uses %+v, %v; want %s", pol.Address, pc, ok, want)
			}
		}
	})
}

// Plans with no configuration section (older Terraform, hand-made JSON)
// say so; a configuration the reader cannot read is an error, never an
// empty one.
func TestReadConfiguration(t *testing.T) {
	plan := func(config string) string {
		return `{"format_version":"1.2","planned_values":{},"resource_changes":[
			{"address":"module.a[\"x]\\\"y\"].module.b[0].terraform_data.t","module_address":"module.a[\"x]\\\"y\"].module.b[0]","mode":"managed","type":"terraform_data","name":"t","change":{"actions":["create"]}}]` +
			config + `}`
	}
	p, err := Read(strings.NewReader(plan("")))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Configuration.ResourceOf(p.Changes[0].Resource); p.Configuration != nil || ok {
		t.Errorf("configuration %+v of a plan without one", p.Configuration)
	}

	nested := `,"configuration":{"root_module":{"module_calls":{"a":{"for_each_expression":{},"module":{"module_calls":{"b":{"module":{
		"resources":[{"address":"terraform_data.t","mode":"managed","type":"terraform_data","name":"t","provider_config_key":"terraform",
			"provisioners":[{"type":"file","expressions":{}},{"type":"remote-exec"}]}]}}}}}}}}`
	if p, err = Read(strings.NewReader(plan(nested))); err != nil {
		t.Fatal(err)
	}
	res, ok := p.Configuration.ResourceOf(p.Changes[0].Resource)
	if !ok || res.Address != "module.a.module.b.terraform_data.t" || !slices.Equal(res.Provisioners, []string{"file", "remote-exec"}) {
		t.Errorf("block of %s: %+v, %v", p.Changes[0].Address, res, ok)
	}

	for name, config := range map[string]string{
		"configuration not an object":         `,"configuration":[]`,
		"provider_config not an object":       `,"configuration":{"provider_config":[]}`,
		"a provider configuration not object": `,"configuration":{"provider_config":{"jit":"jit"}}`,
		"github block not an object":          `,"configuration":{"provider_config":{"jit":{"full_name":"registry.terraform.io/jitgate/jit","expressions":{"github":"x"}}}}`,
		"two github blocks":                   `,"configuration":{"provider_config":{"jit":{"full_name":"registry.terraform.io/jitgate/jit","expressions":{"github":[{},{}]}}}}`,
		"base_url not an expression":          `,"configuration":{"provider_config":{"jit":{"expressions":{"github":{"base_url":"https://x/"}},"full_name":"registry.terraform.io/jitgate/jit"}}}`,
		"references not a list":               `,"configuration":{"provider_config":{"jit":{"full_name":"registry.terraform.io/jitgate/jit","expressions":{"github":{"token":{"references":"var.t"}}}}}}`,
		"root_module not an object":           `,"configuration":{"root_module":[]}`,
		"resources not an array":              `,"configuration":{"root_module":{"resources":{}}}`,
		"a resource without type":             `,"configuration":{"root_module":{"resources":[{"address":"terraform_data.t"}]}}`,
		"provisioners not an array":           `,"configuration":{"root_module":{"resources":[{"address":"terraform_data.t","type":"terraform_data","provisioners":{}}]}}`,
		"a provisioner without type":          `,"configuration":{"root_module":{"resources":[{"address":"terraform_data.t","type":"terraform_data","provisioners":[{}]}]}}`,
		"module_calls not an object":          `,"configuration":{"root_module":{"module_calls":[]}}`,
		"a module call's module not object":   `,"configuration":{"root_module":{"module_calls":{"a":{"module":1}}}}`,
	} {
		if p, err := Read(strings.NewReader(plan(config))); err == nil {
			t.Errorf("%s: read as %+v", name, p.Configuration)
		}
	}
}

// The whole-plan model matches what encoding/json decodes from the same
// plans, field for field: every change with its provider and actions, the
// before values of access-granting changes, and every provider
// configuration and resource block with its provisioners.
func TestWholePlanMatchesEncodingJSON(t *testing.T) {
	for name, data := range testPlans(t) {
		t.Run(name, func(t *testing.T) {
			got, err := Read(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				ResourceChanges []struct {
					rawEntry
					Change struct {
						Actions []string `json:"actions"`
						Before  any      `json:"before"`
					} `json:"change"`
				} `json:"resource_changes"`
				Configuration *struct {
					ProviderConfig map[string]struct {
						Name          string `json:"name"`
						FullName      string `json:"full_name"`
						Alias         string `json:"alias"`
						ModuleAddress string `json:"module_address"`
					} `json:"provider_config"`
					RootModule json.RawMessage `json:"root_module"`
				} `json:"configuration"`
			}
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.UseNumber()
			if err := dec.Decode(&doc); err != nil {
				t.Fatal(err)
			}
			var changes []ResourceChange
			var before []Value
			for _, e := range doc.ResourceChanges {
				action, err := parseActions(e.Change.Actions)
				if err != nil {
					t.Fatal(err)
				}
				changes = append(changes, ResourceChange{Resource: e.resource(), ProviderName: e.ProviderName, Action: action})
				if _, ok := AccessGrant(e.Type); ok && e.Mode == "managed" {
					before = append(before, valueOf(e.Change.Before))
				}
			}
			if !reflect.DeepEqual(got.Changes, changes) {
				t.Errorf("changes:\n got %+v\nwant %+v", got.Changes, changes)
			}
			for i, a := range got.Access {
				if !reflect.DeepEqual(a.Before, before[i]) {
					t.Errorf("%s before:\n got %+v\nwant %+v", a.Address, a.Before, before[i])
				}
			}
			if doc.Configuration == nil {
				if got.Configuration != nil {
					t.Errorf("configuration %+v, want none", got.Configuration)
				}
				return
			}
			for key, pc := range doc.Configuration.ProviderConfig {
				g := got.Configuration.Providers[key]
				if g.Name != pc.Name || g.FullName != pc.FullName || g.Alias != pc.Alias || g.ModuleAddress != pc.ModuleAddress {
					t.Errorf("provider configuration %s: got %+v, want %+v", key, g, pc)
				}
			}
			if len(got.Configuration.Providers) != len(doc.Configuration.ProviderConfig) {
				t.Errorf("%d provider configurations, want %d", len(got.Configuration.Providers), len(doc.Configuration.ProviderConfig))
			}
			want := configResources(t, doc.Configuration.RootModule, "", false)
			if !reflect.DeepEqual(got.Configuration.Resources, want) {
				t.Errorf("resource blocks:\n got %+v\nwant %+v", got.Configuration.Resources, want)
			}
		})
	}
}

// configResources decodes a module's blocks with encoding/json, the way the
// configuration section nests them.
func configResources(t *testing.T, raw json.RawMessage, path string, repeated bool) []ConfigResource {
	var m struct {
		Resources []struct {
			Address           string `json:"address"`
			Mode              string `json:"mode"`
			Type              string `json:"type"`
			Name              string `json:"name"`
			ProviderConfigKey string `json:"provider_config_key"`
			Provisioners      []struct {
				Type string `json:"type"`
			} `json:"provisioners"`
			Count       json.RawMessage `json:"count_expression"`
			ForEach     json.RawMessage `json:"for_each_expression"`
			Expressions json.RawMessage `json:"expressions"`
		} `json:"resources"`
		ModuleCalls map[string]struct {
			Module  json.RawMessage `json:"module"`
			Count   json.RawMessage `json:"count_expression"`
			ForEach json.RawMessage `json:"for_each_expression"`
		} `json:"module_calls"`
	}
	if len(raw) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	var out []ConfigResource
	for _, r := range m.Resources {
		c := ConfigResource{Address: join(path, r.Address), ModuleAddress: path, Mode: r.Mode, Type: r.Type, Name: r.Name, ProviderConfigKey: r.ProviderConfigKey,
			Repeated: repeated || r.Count != nil || r.ForEach != nil || bytes.Contains(r.Expressions, []byte(`"each.`)) || bytes.Contains(r.Expressions, []byte(`"count.`))}
		for _, p := range r.Provisioners {
			c.Provisioners = append(c.Provisioners, p.Type)
		}
		out = append(out, c)
	}
	// The reader keeps the plan's order, which is by name: Terraform writes
	// module_calls from a Go map.
	for _, name := range slices.Sorted(maps.Keys(m.ModuleCalls)) {
		call := m.ModuleCalls[name]
		out = append(out, configResources(t, call.Module, join(path, "module."+name), repeated || call.Count != nil || call.ForEach != nil)...)
	}
	return out
}

// valueOf converts what encoding/json decodes (with UseNumber) into a Value.
func valueOf(v any) Value {
	switch v := v.(type) {
	case nil:
		return Value{Kind: ValueNull}
	case bool:
		return Value{Kind: ValueBool, Bool: v}
	case json.Number:
		return Value{Kind: ValueNumber, Str: string(v)}
	case string:
		return Value{Kind: ValueString, Str: v}
	case []any:
		l := Value{Kind: ValueList, List: []Value{}}
		for _, e := range v {
			l.List = append(l.List, valueOf(e))
		}
		return l
	case map[string]any:
		o := Value{Kind: ValueObject, Object: map[string]Value{}}
		for k, e := range v {
			o.Object[k] = valueOf(e)
		}
		return o
	}
	panic(fmt.Sprintf("unexpected %T", v))
}

// Terraform leaves unknown attributes out of after and writes unknown list
// elements as null; after_unknown marks them, at any depth.
func TestAccessValuesWithUnknown(t *testing.T) {
	doc := `{"format_version":"1.2","planned_values":{},"resource_changes":[{"address":"github_team_members.t","mode":"managed",
		"type":"github_team_members","name":"t","provider_name":"registry.terraform.io/integrations/github","change":{"actions":["create"],"before":null,
		"after":{"team_slug":"sre","members":[{"username":"erin","role":"member"},{"role":"member"}],"list":[1,null],"n":1.50,"b":false,"o":{"k":"v"}},
		"after_unknown":{"members":[{},{"username":true}],"list":[false,true],"id":true,"o":{"x":{"y":true}},"team_slug":false}}}]}`
	p, err := Read(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	a := findAccess(t, p, "github_team_members.t")
	after := a.After
	members := after.Attr("members").List
	if len(members) != 2 || members[0].HasUnknown() || !members[1].Attr("username").Unknown || !members[1].HasUnknown() {
		t.Errorf("members %+v: want the second member's username unknown", members)
	}
	if l := after.Attr("list").List; len(l) != 2 || l[0].Unknown || l[0].Str != "1" || !l[1].Unknown {
		t.Errorf("list %+v: want 1 and an unknown element", l)
	}
	if !after.Attr("id").Unknown || after.Attr("o").Attr("k").Str != "v" || !after.Attr("o").Attr("x").Attr("y").Unknown {
		t.Errorf("after %+v: want id and o.x.y unknown, o.k known", after)
	}
	if s, ok := after.Attr("team_slug").Text(); !ok || s != "sre" {
		t.Errorf("team_slug %q, %v", s, ok)
	}
	if n, b := after.Attr("n"), after.Attr("b"); n.Kind != ValueNumber || n.Str != "1.50" || b.Kind != ValueBool || b.Bool {
		t.Errorf("n %+v, b %+v: numbers keep their JSON text", n, b)
	}
	if !after.Attr("missing").IsNull() || after.Attr("missing").HasUnknown() || !a.Before.IsNull() {
		t.Errorf("an absent attribute or a missing before is not null")
	}

	for _, bad := range []string{`"after_unknown":[]`, `"after_unknown":"x"`} {
		doc := `{"format_version":"1.2","planned_values":{},"resource_changes":[{"address":"github_membership.m","mode":"managed",
			"type":"github_membership","name":"m","change":{"actions":["create"],"after":{},` + bad + `}}]}`
		if _, err := Read(strings.NewReader(doc)); err == nil || !strings.Contains(err.Error(), "after_unknown") {
			t.Errorf("%s: error %v, want after_unknown refused", bad, err)
		}
	}
}

func TestWithoutInstanceKeys(t *testing.T) {
	for in, want := range map[string]string{
		"":                                  "",
		"module.a":                          "module.a",
		`module.a["x"].module.b[0]`:         "module.a.module.b",
		`module.a["x]\"y[0]"].module.b[12]`: "module.a.module.b",
		`module.a["\\"].module.b`:           "module.a.module.b",
	} {
		if got := withoutInstanceKeys(in); got != want {
			t.Errorf("withoutInstanceKeys(%s) = %q, want %q", in, got, want)
		}
	}
}
