package doctor

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/jitgate/terraform-provider-jit/internal/settings"
)

// An action or reusable workflow named by a tag or branch runs whatever that
// ref points at when the job starts: whoever can move the tag can run code
// with the job's tokens. Pinned by a full commit SHA, it runs the code that
// was reviewed.

var (
	shaRE    = regexp.MustCompile(`^[0-9a-f]{40}$`)
	digestRE = regexp.MustCompile(`@sha256:[0-9a-f]{64}$`)
)

// workflowFile reports whether p is a workflow or an action of the
// repository's own, whose steps run in its workflows.
func workflowFile(p string) bool {
	ext := path.Ext(p)
	if ext != ".yml" && ext != ".yaml" {
		return false
	}
	return path.Dir(p) == ".github/workflows" ||
		(strings.HasPrefix(p, ".github/") && strings.TrimSuffix(path.Base(p), ext) == "action")
}

// unpinned says why a `uses:` value is not pinned, "" when it is.
func unpinned(uses string) string {
	switch {
	case strings.HasPrefix(uses, "./"):
		return "" // the repository's own, reviewed with it
	case strings.HasPrefix(uses, "docker://"):
		if digestRE.MatchString(uses) {
			return ""
		}
		return "an image by tag, not by digest"
	}
	_, ref, ok := strings.Cut(uses, "@")
	switch {
	case !ok:
		return "no ref"
	case ref == strings.Repeat("0", 40):
		return "a placeholder, not a commit"
	case !shaRE.MatchString(ref):
		return fmt.Sprintf("ref %q is a tag or branch, not a commit SHA", ref)
	}
	return ""
}

// usesOf finds every `uses:` of a workflow (jobs and their steps) or action
// (runs.steps), with its line.
func usesOf(content string) ([]*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(content), &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	var out []*yaml.Node
	steps := func(list *yaml.Node) {
		if list == nil || list.Kind != yaml.SequenceNode {
			return
		}
		for _, st := range list.Content {
			if u := mapValue(st, "uses"); u != nil {
				out = append(out, u)
			}
		}
	}
	root := doc.Content[0]
	if jobs := mapValue(root, "jobs"); jobs != nil && jobs.Kind == yaml.MappingNode {
		for i := 1; i < len(jobs.Content); i += 2 {
			job := jobs.Content[i]
			if u := mapValue(job, "uses"); u != nil {
				out = append(out, u)
			}
			steps(mapValue(job, "steps"))
		}
	}
	steps(mapValue(mapValue(root, "runs"), "steps"))
	return out, nil
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func checkWorkflows(r *reader, _ *settings.Settings, res *Result) error {
	files, err := r.files(res.Commit)
	if err != nil {
		return err
	}
	var bad []string
	count, read := 0, 0
	for _, f := range slices.Sorted(slices.Values(files)) {
		if !workflowFile(f) {
			continue
		}
		content, err := r.content(res.Commit, f)
		if err != nil {
			return err
		}
		read++
		uses, err := usesOf(content)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s: not YAML GitHub can run (%v)", f, err))
			continue
		}
		for _, u := range uses {
			count++
			if why := unpinned(u.Value); why != "" {
				bad = append(bad, fmt.Sprintf("%s:%d %s: %s", f, u.Line, u.Value, why))
			}
		}
	}
	p := Point{ID: PointPinned, OK: len(bad) == 0, Summary: fmt.Sprintf("all %d actions and reusable workflows in %d files are pinned by commit SHA", count, read)}
	if read == 0 {
		p.Summary = "no workflows or actions of the repository's own to check"
	}
	if !p.OK {
		p.Summary = "not pinned: " + strings.Join(bad, "; ")
		p.Fix = "name each by the full commit SHA of its release with the version in a comment, e.g. uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2"
	}
	res.Points = append(res.Points, p)
	return nil
}
