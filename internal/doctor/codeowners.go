package doctor

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/settings"
)

// CODEOWNERS makes GitHub ask the owners of a file to review every change to
// it (with "Require review from Code Owners"). The trusted paths and the
// Terraform configuration must have owners, or a pull request can change
// the workflows, the gate's settings or the plan's inputs with any one
// approval.

// ownersLocations are where GitHub looks for CODEOWNERS, in its order: the
// first found is the one used.
var ownersLocations = []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"}

// ownersRule is one line of CODEOWNERS.
type ownersRule struct {
	pattern string // as written
	glob    string // as a doublestar glob over repository paths
	dir     bool   // also everything under what glob matches
	owners  []string
}

// parseOwners reads CODEOWNERS: a pattern and its owners per line, "#"
// comments, the last matching line deciding, a line without owners leaving
// its files unowned. Patterns follow GitHub's rules: a leading or inner "/"
// anchors at the root, otherwise they match at any depth; a trailing "/"
// or a name without wildcards covers everything beneath; "*" stays within
// one directory and "**" spans any number.
func parseOwners(content string) []ownersRule {
	var out []ownersRule
	for _, line := range strings.Split(content, "\n") {
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		p := strings.ReplaceAll(fields[0], `\#`, "#")
		rule := ownersRule{pattern: fields[0], owners: fields[1:]}
		trailing := strings.HasSuffix(p, "/")
		p = strings.TrimSuffix(p, "/")
		anchored := strings.HasPrefix(p, "/") || strings.Contains(p, "/")
		p = strings.TrimPrefix(p, "/")
		if !anchored && !strings.HasPrefix(p, "**") {
			p = "**/" + p
		}
		rule.glob = p
		rule.dir = trailing || !strings.HasSuffix(p, "*")
		out = append(out, rule)
	}
	return out
}

// owners returns the owners of path: those of the last matching rule.
func owners(rules []ownersRule, p string) []string {
	for i := len(rules) - 1; i >= 0; i-- {
		r := rules[i]
		if ok, _ := doublestar.Match(r.glob, p); ok {
			return r.owners
		}
		if r.dir {
			if ok, _ := doublestar.Match(r.glob+"/**", p); ok {
				return r.owners
			}
		}
	}
	return nil
}

// terraformFile reports whether p is part of a Terraform configuration.
func terraformFile(p string) bool {
	base := path.Base(p)
	for _, ext := range []string{".tf", ".tf.json", ".tfvars", ".tfvars.json"} {
		if strings.HasSuffix(base, ext) {
			return true
		}
	}
	return base == ".terraform.lock.hcl"
}

// newFile is the name of a file a pull request could add, for the probes.
const newFile = "new"

// trustProbes are paths a pull request could add under each trust glob.
func trustProbes(globs []string) []string {
	var out []string
	for _, g := range globs {
		probe := strings.ReplaceAll(strings.ReplaceAll(g, "**", newFile), "*", newFile)
		out = append(out, probe)
		if rest, ok := strings.CutPrefix(g, "**/"); ok {
			out = append(out, strings.ReplaceAll(strings.ReplaceAll(rest, "**", newFile), "*", newFile))
		}
	}
	return out
}

func checkCodeOwners(r *reader, s *settings.Settings, res *Result) error {
	files, err := r.files(res.Commit)
	if err != nil {
		return err
	}
	location := ""
	for _, l := range ownersLocations {
		if slices.Contains(files, l) {
			location = l
			break
		}
	}
	suggested := suggestOwners(s)
	if location == "" {
		fix := fmt.Sprintf("add .github/CODEOWNERS with the governance approvers as owners of the trusted paths and the Terraform files, e.g.\n%s", ownersExample(s, suggested))
		res.Points = append(res.Points,
			Point{ID: PointOwnersFile, Summary: "no CODEOWNERS in .github/, the root or docs/", Fix: fix},
			Point{ID: PointOwnersTrust, Summary: "the trusted paths have no code owners", Fix: fix},
			Point{ID: PointOwnersTF, Summary: "the Terraform files have no code owners", Fix: fix})
		return nil
	}
	content, err := r.content(res.Commit, location)
	if err != nil {
		return err
	}
	rules := parseOwners(content)
	res.Points = append(res.Points, Point{ID: PointOwnersFile, OK: true, Summary: location + " (the one GitHub uses)"})

	// The trusted paths: what is there, what could be added, the settings
	// file and CODEOWNERS itself.
	trust := append(trustProbes(s.TrustPaths), settings.Path, location, ".github/workflows/"+newFile+".yml")
	for _, f := range files {
		if s.Trusted(f) {
			trust = append(trust, f)
		}
	}
	res.Points = append(res.Points, ownedPoint(PointOwnersTrust, "trusted path", rules, trust, location, suggested))

	// The Terraform files, and a new one beside them.
	var tf []string
	dirs := map[string]bool{}
	for _, f := range files {
		if terraformFile(f) {
			tf = append(tf, f)
			dirs[path.Dir(f)] = true
		}
	}
	if len(dirs) == 0 {
		dirs["."] = true
	}
	for d := range dirs {
		tf = append(tf, path.Join(d, newFile+".tf"))
	}
	res.Points = append(res.Points, ownedPoint(PointOwnersTF, "Terraform file", rules, tf, location, suggested))
	return nil
}

// ownedPoint checks that every path has an owner.
func ownedPoint(id, what string, rules []ownersRule, paths []string, location, suggested string) Point {
	slices.Sort(paths)
	paths = slices.Compact(paths)
	var unowned []string
	for _, p := range paths {
		if len(owners(rules, p)) == 0 {
			unowned = append(unowned, p)
		}
	}
	if len(unowned) == 0 {
		return Point{ID: id, OK: true, Summary: fmt.Sprintf("every %s has an owner (%d checked, new files included)", what, len(paths))}
	}
	shown := unowned
	more := ""
	if len(shown) > 5 {
		shown, more = shown[:5], fmt.Sprintf(" and %d more", len(unowned)-5)
	}
	return Point{ID: id, Summary: fmt.Sprintf("no code owner for %s%s", strings.Join(shown, ", "), more),
		Fix: fmt.Sprintf("in %s, give them owners after any line that leaves them without, e.g. %q", location, ownerLine(unowned[0], suggested))}
}

// ownerLine is a CODEOWNERS line covering p's directory, or p at the root.
func ownerLine(p, owners string) string {
	if d := path.Dir(p); d != "." {
		return "/" + d + "/ " + owners
	}
	return "/" + p + " " + owners
}

// ownersExample is a CODEOWNERS that covers the Terraform files and the
// trusted paths.
func ownersExample(s *settings.Settings, suggested string) string {
	patterns := []string{"*.tf", "*.tf.json", "*.tfvars", ".terraform.lock.hcl"}
	for _, g := range s.TrustPaths {
		switch {
		case strings.HasPrefix(g, "**/"):
			g = strings.TrimPrefix(g, "**/")
		case strings.HasSuffix(g, "/**"):
			g = "/" + strings.TrimSuffix(g, "**")
		default:
			g = "/" + g
		}
		if !slices.Contains(patterns, g) {
			patterns = append(patterns, g)
		}
	}
	return "  " + strings.Join(patterns, " "+suggested+"\n  ") + " " + suggested
}

// suggestOwners spells the governance approvers as CODEOWNERS owners.
func suggestOwners(s *settings.Settings) string {
	var out []string
	for _, g := range s.GovernanceApprovers {
		if ref, err := policy.ParseRef(g); err == nil && ref.IsTeam() {
			out = append(out, "@"+ref.Team.Key())
		} else {
			out = append(out, "@"+g)
		}
	}
	if len(out) == 0 {
		return "@ORG/TEAM"
	}
	return strings.Join(out, " ")
}
