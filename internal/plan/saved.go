package plan

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"path"
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
	if err := readJSON(files["tfconfig/modules.json"], &modules); err != nil {
		return nil, fmt.Errorf("read saved plan %s: tfconfig/modules.json: %w", filePath, err)
	}
	parser := hclparse.NewParser()
	cfg := &SavedConfig{}
	for _, m := range modules {
		dir := "tfconfig/m-" + m.Key + "/"
		var names []string
		for name := range files {
			rel, ok := strings.CutPrefix(name, dir)
			if ok && !strings.Contains(rel, "/") && (strings.HasSuffix(rel, ".tf") || strings.HasSuffix(rel, ".tf.json")) {
				names = append(names, name)
			}
		}
		slices.Sort(names)
		for _, name := range names {
			blocks, err := removedBlocks(parser, files[name])
			if err != nil {
				return nil, fmt.Errorf("read saved plan %s: %s: %w", filePath, name, err)
			}
			for _, b := range blocks {
				b.Module, b.File = m.Key, path.Base(name)
				cfg.Removed = append(cfg.Removed, b)
			}
		}
	}
	return cfg, nil
}

func readJSON(f *zip.File, v any) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return json.NewDecoder(rc).Decode(v)
}

// removedBlocks parses one configuration file (native or JSON syntax) and
// returns its removed blocks.
func removedBlocks(parser *hclparse.Parser, f *zip.File) ([]RemovedBlock, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	src, err := io.ReadAll(rc)
	rc.Close()
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
