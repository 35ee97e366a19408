package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// Configuration is the plan's configuration section, as far as the rules
// need it: every provider configuration, and every resource and data block
// of the root module and of every module it calls, however deep. A module
// called with count or for_each is configured once, so its blocks are here
// once, under an address without instance keys; ResourceOf maps a change's
// instance address to its block.
type Configuration struct {
	Providers map[string]ProviderConfig // by key, as ConfigResource.ProviderConfigKey names them
	Resources []ConfigResource          // root module first, then each module call depth first

	byAddress map[string]int // Resources index by Address
}

// ProviderConfig is one provider configuration. Terraform keys them by
// local name and alias ("jit", "jit.decoy"), prefixed with the module that
// declares them ("module.legacy:jit.own"); a resource in a child module
// that inherits or is passed a configuration names the one it uses.
type ProviderConfig struct {
	Key           string
	Name          string // the provider's local name, e.g. jit
	FullName      string // its source address, e.g. registry.terraform.io/jitgate/jit
	Alias         string // "" for a default configuration
	ModuleAddress string // the module that declares it; "" for the root module
	// GitHub is the github block of a jit provider configuration (any
	// provider whose source address ends in /jit); nil without one. A
	// github block written as a `dynamic` block leaves no trace in the plan,
	// so a nil GitHub does not prove the URL comes from the environment.
	GitHub *GitHubBlock
}

// GitHubBlock is the github block of a jit provider configuration.
type GitHubBlock struct {
	BaseURL Expression
	// Token says how the token is set. An inline token is Redacted, never
	// kept, so no report can show it (the plan JSON holds it in clear).
	Token Expression
}

// ExpressionKind is how the configuration sets an argument.
type ExpressionKind string

// Expression kinds, as Terraform writes expressions in plan JSON.
const (
	ExprConstant  ExpressionKind = "constant"  // a value known from the configuration alone (Expression.Constant)
	ExprReference ExpressionKind = "reference" // refers to variables, locals, resources or the like (Expression.References)
	ExprComputed  ExpressionKind = "computed"  // anything else, e.g. a function call on constants: set, to a value the plan does not show
)

// Expression is how the configuration sets one argument; the zero
// Expression is an argument that is not set.
type Expression struct {
	Kind       ExpressionKind
	Constant   Value    // for ExprConstant, unless Redacted (a null constant is the same as not set)
	Redacted   bool     // a constant other than null that is not kept, since it is a secret (github.token)
	References []string // for ExprReference, as Terraform lists them: var.url, local.x, ...
}

// IsSet reports whether the configuration gives the argument a value.
func (e Expression) IsSet() bool {
	return e.Kind != "" && (e.Kind != ExprConstant || e.Redacted || !e.Constant.IsNull())
}

// ConfigResource is one resource or data block of the configuration.
type ConfigResource struct {
	Address           string // with its module path, without instance keys: module.team.module.repo.jit_elevation.push
	ModuleAddress     string // module.team.module.repo; "" in the root module
	Mode              string // "managed" or "data"
	Type              string
	Name              string
	ProviderConfigKey string   // its key in Configuration.Providers
	Provisioners      []string // provisioner types in order (local-exec, remote-exec, file, ...), destroy-time ones included
	// Repeated: the block, or a module call above it, has count or
	// for_each, so it may plan no instance at all. Terraform 1.5 leaves
	// out a for_each it cannot evaluate without context (a function call
	// such as toset(...)), so a block that refers to each.* or count.* is
	// taken as repeated too.
	Repeated bool
}

// ResourceOf returns the block that an instance of a resource change comes
// from; ok is false when the configuration has none (a resource being
// destroyed or forgotten, whose block is gone).
func (c *Configuration) ResourceOf(r Resource) (res ConfigResource, ok bool) {
	if c == nil {
		return ConfigResource{}, false
	}
	addr := r.Type + "." + r.Name
	if r.Mode == "data" {
		addr = "data." + addr
	}
	if m := withoutInstanceKeys(r.ModuleAddress); m != "" {
		addr = m + "." + addr
	}
	i, ok := c.byAddress[addr]
	if !ok {
		return ConfigResource{}, false
	}
	return c.Resources[i], true
}

// ProviderOf returns the provider configuration a resource change's block
// uses; ok is false when either is not in the configuration.
func (c *Configuration) ProviderOf(r Resource) (ProviderConfig, bool) {
	res, ok := c.ResourceOf(r)
	if !ok {
		return ProviderConfig{}, false
	}
	pc, ok := c.Providers[res.ProviderConfigKey]
	return pc, ok
}

// withoutInstanceKeys drops the instance keys of a module instance address:
// module.a["x"].module.b[0] is module.a.module.b.
func withoutInstanceKeys(addr string) string {
	if !strings.Contains(addr, "[") {
		return addr
	}
	var b strings.Builder
	for i := 0; i < len(addr); i++ {
		if addr[i] == '[' {
			i = keyEnd(addr, i)
			continue
		}
		b.WriteByte(addr[i])
	}
	return b.String()
}

// keyEnd returns the index of the ']' that closes the instance key opened
// at addr[open]. A key is a number or a quoted string, and a string may hold
// brackets and escaped quotes.
func keyEnd(addr string, open int) int {
	inString := false
	for i := open + 1; i < len(addr); i++ {
		switch c := addr[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case !inString && c == ']':
			return i
		}
	}
	return len(addr)
}

// configuration reads the configuration section. What it does not
// understand in the parts it reads is an error: a rule must never read a
// configuration it could not read as having no provisioner or no provider.
func (d *decoder) configuration() (*Configuration, error) {
	if d.dec.PeekKind() != '{' {
		return nil, d.unexpected("configuration", "an object")
	}
	c := &Configuration{Providers: map[string]ProviderConfig{}, byAddress: map[string]int{}}
	err := d.object(func(name []byte) error {
		switch string(name) {
		case "provider_config":
			return d.providerConfigs(c)
		case "root_module":
			return d.module(c, "", false)
		}
		return d.dec.SkipValue()
	})
	return c, err
}

// providerConfigs reads the provider_config object.
func (d *decoder) providerConfigs(c *Configuration) error {
	if d.dec.PeekKind() != '{' {
		return d.unexpected("configuration.provider_config", "an object")
	}
	return d.object(func(name []byte) error {
		pc := ProviderConfig{Key: string(name)}
		if d.dec.PeekKind() != '{' {
			return d.unexpected("configuration.provider_config."+pc.Key, "an object")
		}
		var expressions []byte
		err := d.object(func(name []byte) error {
			var err error
			switch string(name) {
			case "name":
				pc.Name, err = d.stringValue("provider_config name")
			case "full_name":
				pc.FullName, err = d.stringValue("provider_config full_name")
			case "alias":
				pc.Alias, err = d.stringValue("provider_config alias")
			case "module_address":
				pc.ModuleAddress, err = d.stringValue("provider_config module_address")
			case "expressions":
				// Kept until full_name, which may come later, says whose they are.
				expressions, err = d.rawValue()
			default:
				err = d.dec.SkipValue()
			}
			return err
		})
		if err != nil {
			return err
		}
		if strings.HasSuffix(pc.FullName, "/jit") && expressions != nil {
			if pc.GitHub, err = readGitHubBlock(expressions); err != nil {
				return fmt.Errorf("plan JSON configuration.provider_config.%s: %w", pc.Key, err)
			}
		}
		c.Providers[pc.Key] = pc
		return nil
	})
}

// readGitHubBlock reads the github block out of a jit provider
// configuration's expressions; nil when there is none.
func readGitHubBlock(expressions []byte) (*GitHubBlock, error) {
	d := &decoder{dec: jsontext.NewDecoder(bytes.NewBuffer(expressions))}
	if d.dec.PeekKind() != '{' {
		return nil, d.unexpected("expressions", "an object")
	}
	var gh *GitHubBlock
	err := d.object(func(name []byte) error {
		if string(name) != "github" {
			return d.dec.SkipValue()
		}
		switch d.dec.PeekKind() {
		case '{': // a single nested block, as this provider declares it
			gh = &GitHubBlock{}
			return d.gitHubBlock(gh)
		case '[': // a list block, in case an older schema wrote one
			return d.array(func() error {
				if gh != nil {
					return fmt.Errorf("more than one github block")
				}
				gh = &GitHubBlock{}
				if d.dec.PeekKind() != '{' {
					return d.unexpected("the github block", "an object")
				}
				return d.gitHubBlock(gh)
			})
		}
		return d.unexpected("the github block", "an object")
	})
	return gh, err
}

// gitHubBlock reads a github block's arguments (a peeked '{').
func (d *decoder) gitHubBlock(gh *GitHubBlock) error {
	return d.object(func(name []byte) error {
		var err error
		switch string(name) {
		case "base_url":
			gh.BaseURL, err = d.expression("github.base_url")
		case "token":
			gh.Token, err = d.expression("github.token")
			if gh.Token.Kind == ExprConstant && !gh.Token.Constant.IsNull() {
				gh.Token.Constant, gh.Token.Redacted = Value{}, true // see GitHubBlock
			}
		default:
			err = d.dec.SkipValue()
		}
		return err
	})
}

// expression reads one expression object of the configuration.
func (d *decoder) expression(name string) (Expression, error) {
	if d.dec.PeekKind() != '{' {
		return Expression{}, d.unexpected(name, "an expression object")
	}
	e := Expression{Kind: ExprComputed}
	err := d.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "constant_value":
			e.Kind = ExprConstant
			e.Constant, err = d.value()
		case "references":
			e.Kind = ExprReference
			e.References, err = d.stringsValue(name + " references")
		default:
			err = d.dec.SkipValue()
		}
		return err
	})
	return e, err
}

// module reads a module's configuration (root_module, or a module call's
// module) whose address is path ("" for the root module); repeated says a
// call above it has count or for_each.
func (d *decoder) module(c *Configuration, path string, repeated bool) error {
	where := "configuration of " + path
	if path == "" {
		where = "configuration.root_module"
	}
	if d.dec.PeekKind() != '{' {
		return d.unexpected(where, "an object")
	}
	return d.object(func(name []byte) error {
		switch string(name) {
		case "resources":
			if d.dec.PeekKind() != '[' {
				return d.unexpected(where+" resources", "an array")
			}
			return d.array(func() error { return d.configResource(c, path, where, repeated) })
		case "module_calls":
			if d.dec.PeekKind() != '{' {
				return d.unexpected(where+" module_calls", "an object")
			}
			return d.object(func(name []byte) error {
				return d.moduleCall(c, join(path, "module."+string(name)), repeated)
			})
		}
		return d.dec.SkipValue()
	})
}

// moduleCall reads one module_calls entry; its module is at path.
func (d *decoder) moduleCall(c *Configuration, path string, repeated bool) error {
	if d.dec.PeekKind() != '{' {
		return d.unexpected("the call of "+path, "an object")
	}
	// The module comes before the call's count_expression in Terraform's
	// output, so it is kept and read once the whole call is seen.
	var module json.RawMessage
	err := d.object(func(name []byte) error {
		var err error
		switch string(name) {
		case "module":
			module, err = d.rawValue()
		case "count_expression", "for_each_expression":
			repeated = true
			err = d.dec.SkipValue()
		default:
			err = d.dec.SkipValue()
		}
		return err
	})
	if err != nil || module == nil {
		return err
	}
	md := &decoder{dec: jsontext.NewDecoder(bytes.NewBuffer(module))}
	return md.module(c, path, repeated)
}

// configResource reads one resource or data block of the module at path.
func (d *decoder) configResource(c *Configuration, path, where string, repeated bool) error {
	if d.dec.PeekKind() != '{' {
		return d.unexpected("a resource in the "+where, "an object")
	}
	r := ConfigResource{ModuleAddress: path, Repeated: repeated}
	var address string
	err := d.object(func(name []byte) error {
		var err error
		switch string(name) {
		case "address":
			address, err = d.stringValue("configuration address")
		case "mode":
			r.Mode, err = d.stringValue("configuration mode")
		case "type":
			r.Type, err = d.stringValue("configuration type")
		case "name":
			r.Name, err = d.stringValue("configuration name")
		case "provider_config_key":
			r.ProviderConfigKey, err = d.stringValue("provider_config_key")
		case "provisioners":
			r.Provisioners, err = d.provisioners()
		case "count_expression", "for_each_expression":
			r.Repeated = true
			err = d.dec.SkipValue()
		case "expressions":
			var raw json.RawMessage
			if raw, err = d.rawValue(); bytes.Contains(raw, []byte(`"each.`)) || bytes.Contains(raw, []byte(`"count.`)) {
				r.Repeated = true
			}
		default:
			err = d.dec.SkipValue()
		}
		return err
	})
	if err != nil {
		return err
	}
	if address == "" || r.Type == "" {
		return fmt.Errorf("plan JSON has a resource without address or type in the %s", where)
	}
	r.Address = join(path, address)
	c.byAddress[r.Address] = len(c.Resources)
	c.Resources = append(c.Resources, r)
	return nil
}

// provisioners reads a resource's provisioners into their types.
func (d *decoder) provisioners() ([]string, error) {
	switch d.dec.PeekKind() {
	case 'n':
		return nil, d.null()
	case '[':
	default:
		return nil, d.unexpected("provisioners", "an array")
	}
	types := []string{}
	err := d.array(func() error {
		if d.dec.PeekKind() != '{' {
			return d.unexpected("a provisioner", "an object")
		}
		typ := ""
		err := d.object(func(name []byte) error {
			if string(name) != "type" {
				return d.dec.SkipValue()
			}
			var err error
			typ, err = d.stringValue("provisioner type")
			return err
		})
		if err == nil && typ == "" {
			err = fmt.Errorf("plan JSON has a provisioner without a type at byte %d", d.dec.InputOffset())
		}
		types = append(types, typ)
		return err
	})
	return types, err
}

// join joins a module path and an address relative to it.
func join(path, addr string) string {
	if path == "" {
		return addr
	}
	return path + "." + addr
}
