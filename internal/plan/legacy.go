package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Terraform before 1.6 saves a plan file when planning fails, and its JSON
// does not say so: it has no "errored" (nor "complete" or "applyable"), and
// the changes that planning did not reach are simply missing. Read reads such
// a plan as complete only when nothing shows a failure (legacyIncomplete).
// Terraform 1.6 and later, and OpenTofu, write "errored", and Read trusts it.

// legacyTerraform reports whether a plan of this terraform_version may lack
// "errored": versions before 1.6, and an unknown version.
func legacyTerraform(version string) bool {
	major, rest, ok := strings.Cut(version, ".")
	if !ok {
		return true
	}
	minorText, _, _ := strings.Cut(rest, ".")
	maj, err1 := strconv.Atoi(major)
	minor, err2 := strconv.Atoi(minorText)
	if err1 != nil || err2 != nil {
		return true
	}
	return maj < 1 || (maj == 1 && minor < 6)
}

// legacyIncomplete returns an error when a plan without "errored" shows
// what a failed plan leaves behind: a failed or errored condition of a
// resource or output (a check block's assertion only warns, so it does not
// count), or a managed resource of the configuration that is neither
// counted nor repeated, nor in a counted or repeated module, yet has no
// entry in resource_changes (every resource planned has one, no-op
// included). configuration and checks are the plan's raw sections (nil when
// absent); changed holds the configuration address (module.NAME... then
// TYPE.NAME, without instance keys) of every managed resource change.
func legacyIncomplete(version string, configuration, checks json.RawMessage, changed map[string]bool) error {
	hint := fmt.Sprintf("Terraform %s writes a partial plan when planning fails, without saying so; Terraform 1.6 and later say so, and the gate reads that instead", version)
	if len(checks) > 0 {
		var results []struct {
			Address struct {
				Kind      string `json:"kind"`
				ToDisplay string `json:"to_display"`
			} `json:"address"`
			Status string `json:"status"`
		}
		if err := json.Unmarshal(checks, &results); err != nil {
			return fmt.Errorf("plan JSON checks: %w", err)
		}
		for _, r := range results {
			if r.Address.Kind != "check" && (r.Status == "fail" || r.Status == "error") {
				return fmt.Errorf("plan JSON is a partial plan: the condition on %s %s, so planning failed (%s)", r.Address.ToDisplay, failed(r.Status), hint)
			}
		}
	}
	if len(configuration) == 0 {
		return nil
	}
	var cfg struct {
		RootModule configModule `json:"root_module"`
	}
	if err := json.Unmarshal(configuration, &cfg); err != nil {
		return fmt.Errorf("plan JSON configuration: %w", err)
	}
	if missing := cfg.RootModule.unplanned("", changed); missing != "" {
		return fmt.Errorf("plan JSON is a partial plan: %s is in the configuration but not in the plan, so planning failed before reaching it (%s)", missing, hint)
	}
	return nil
}

func failed(status string) string {
	if status == "error" {
		return "could not be evaluated"
	}
	return "failed"
}

type configModule struct {
	Resources []struct {
		Address     string          `json:"address"`
		Mode        string          `json:"mode"`
		Count       json.RawMessage `json:"count_expression"`
		ForEach     json.RawMessage `json:"for_each_expression"`
		Expressions json.RawMessage `json:"expressions"`
	} `json:"resources"`
	ModuleCalls map[string]struct {
		Count   json.RawMessage `json:"count_expression"`
		ForEach json.RawMessage `json:"for_each_expression"`
		Module  configModule    `json:"module"`
	} `json:"module_calls"`
}

// unplanned returns the address of the first managed resource that must
// have a change and has none, or "".
func (m configModule) unplanned(prefix string, changed map[string]bool) string {
	for _, r := range m.Resources {
		// Terraform 1.5 leaves out a for_each that it cannot evaluate
		// without context (a function call such as toset(...)), so a
		// resource that refers to each.* or count.* is taken as repeated.
		repeated := r.Count != nil || r.ForEach != nil ||
			bytes.Contains(r.Expressions, []byte(`"each.`)) || bytes.Contains(r.Expressions, []byte(`"count.`))
		if r.Mode == "managed" && !repeated && !changed[prefix+r.Address] {
			return prefix + r.Address
		}
	}
	for name, call := range m.ModuleCalls {
		if call.Count != nil || call.ForEach != nil {
			continue
		}
		if missing := call.Module.unplanned(prefix+"module."+name+".", changed); missing != "" {
			return missing
		}
	}
	return ""
}

// configAddress is a resource change's address in the configuration:
// module path and TYPE.NAME, instance keys left out.
func configAddress(moduleAddress, typ, name string) string {
	var b strings.Builder
	for rest := moduleAddress; rest != ""; {
		// rest is module.NAME, an optional [KEY], and more after a dot.
		rest = strings.TrimPrefix(rest, "module.")
		end := strings.IndexAny(rest, ".[")
		if end < 0 {
			end = len(rest)
		}
		b.WriteString("module." + rest[:end] + ".")
		rest = rest[end:]
		if strings.HasPrefix(rest, "[") {
			rest = skipKey(rest)
		}
		rest = strings.TrimPrefix(rest, ".")
	}
	b.WriteString(typ + "." + name)
	return b.String()
}

// skipKey returns what follows the instance key at the start of s: [0] or
// ["text"], the text quoted as in JSON.
func skipKey(s string) string {
	if strings.HasPrefix(s, `["`) {
		for i := 2; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '"':
				return strings.TrimPrefix(s[i+1:], "]")
			}
		}
		return ""
	}
	if end := strings.IndexByte(s, ']'); end >= 0 {
		return s[end+1:]
	}
	return ""
}
