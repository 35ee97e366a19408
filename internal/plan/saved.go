package plan

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
)

// SavedConfig is what the configuration snapshot inside a saved plan file
// (`terraform plan -out`) tells that `terraform show -json` does not: the
// `removed` blocks. Their destroy-time provisioners run at apply, and the
// JSON plan shows neither the blocks nor the provisioners. The apply of a
// saved plan runs from this very snapshot, so it is what the apply will do.
type SavedConfig struct {
	// Removed lists every removed block, in file order per module.
	Removed []RemovedBlock
}

// RemovedBlock is one `removed` block of the snapshot.
type RemovedBlock struct {
	Module       string   // the module's key in the snapshot ("" for the root, "a.b" for module.a.module.b)
	File         string   // the file it is in, relative to the module
	From         string   // the from expression as written
	Provisioners []string // the types of its provisioner blocks
}

// Provisioned lists the removed blocks that carry provisioners.
func (c *SavedConfig) Provisioned() []RemovedBlock {
	var out []RemovedBlock
	for _, r := range c.Removed {
		if len(r.Provisioners) > 0 {
			out = append(out, r)
		}
	}
	return out
}

// String names a removed block as a message shows it.
func (r RemovedBlock) String() string {
	where := r.File
	if r.Module != "" {
		where = "module " + r.Module + " " + r.File
	}
	return fmt.Sprintf("removed { from = %s } in %s (provisioner %s)", r.From, where, strings.Join(r.Provisioners, ", "))
}

var (
	removedSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "removed"}}}
	inRemoved     = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "from"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "provisioner", LabelNames: []string{"type"}}},
	}
)

// ReadFiles reads a `terraform show -json` file and, when savedPath is not
// "", the saved plan file it was shown from, into Plan.Saved.
func ReadFiles(jsonPath, savedPath string) (*Plan, error) {
	p, err := ReadFile(jsonPath)
	if err == nil && savedPath != "" {
		p.Saved, err = ReadSavedConfig(savedPath)
	}
	return p, err
}

// ReadSavedConfig reads the configuration snapshot of the saved plan file
// at path. A file that is not a saved plan, or a snapshot file that does not
// parse, is an error: the gate cannot tell what the apply would run.
func ReadSavedConfig(filePath string) (*SavedConfig, error) {
	zr, err := zip.OpenReader(filePath)
	if err != nil {
		return nil, fmt.Errorf("read saved plan %s: %w (want the file of terraform plan -out)", filePath, err)
	}
	defer zr.Close()
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	if files["tfplan"] == nil || files["tfconfig/modules.json"] == nil {
		return nil, fmt.Errorf("read saved plan %s: no tfplan and tfconfig/modules.json inside: not the file of terraform plan -out", filePath)
	}
	var modules []struct{ Key string }
	data, err := readMember(files["tfconfig/modules.json"])
	if err == nil {
		err = json.Unmarshal(data, &modules)
	}
	if err != nil {
		return nil, fmt.Errorf("read saved plan %s: tfconfig/modules.json: %w", filePath, err)
	}
	parser := hclparse.NewParser()
	cfg := &SavedConfig{}
	for _, m := range modules {
		dir := "tfconfig/m-" + m.Key + "/"
		var rels []string // the module's own configuration files
		for name := range files {
			rel, ok := strings.CutPrefix(name, dir)
			if ok && !strings.Contains(rel, "/") && (strings.HasSuffix(rel, ".tf") || strings.HasSuffix(rel, ".tf.json")) {
				rels = append(rels, rel)
			}
		}
		slices.Sort(rels)
		for _, rel := range rels {
			blocks, err := removedBlocks(parser, files[dir+rel])
			if err != nil {
				return nil, fmt.Errorf("read saved plan %s: %s%s: %w", filePath, dir, rel, err)
			}
			for _, b := range blocks {
				b.Module, b.File = m.Key, rel
				cfg.Removed = append(cfg.Removed, b)
			}
		}
	}
	return cfg, nil
}

// readMember reads one file of the archive whole.
func readMember(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// removedBlocks parses one configuration file (native or JSON syntax) and
// returns its removed blocks.
func removedBlocks(parser *hclparse.Parser, f *zip.File) ([]RemovedBlock, error) {
	src, err := readMember(f)
	if err != nil {
		return nil, err
	}
	var file *hcl.File
	var diags hcl.Diagnostics
	if strings.HasSuffix(f.Name, ".json") {
		file, diags = parser.ParseJSON(src, f.Name)
	} else {
		file, diags = parser.ParseHCL(src, f.Name)
	}
	if diags.HasErrors() {
		return nil, diags
	}
	content, _, diags := file.Body.PartialContent(removedSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	var out []RemovedBlock
	for _, b := range content.Blocks {
		inner, _, diags := b.Body.PartialContent(inRemoved)
		if diags.HasErrors() {
			return nil, diags
		}
		r := RemovedBlock{From: "?"}
		if a := inner.Attributes["from"]; a != nil {
			rng := a.Expr.Range()
			r.From = string(rng.SliceBytes(src))
		}
		for _, p := range inner.Blocks {
			r.Provisioners = append(r.Provisioners, p.Labels[0])
		}
		out = append(out, r)
	}
	return out, nil
}
