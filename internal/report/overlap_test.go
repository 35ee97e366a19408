package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
)

// A request that extends an elevation in force says so, in the markdown
// table and in the terminal text, with the address escaped.
func TestOverlapsShown(t *testing.T) {
	r := sample()
	r.Elevations[0].Overlaps = []gate.OverlapReport{
		{Address: `jit_elevation.first["a|b"]`, Scope: "github:team:acme/admins", ExpiresAt: "2026-03-01T11:00:00Z", Declared: true},
		{Address: "jit_elevation.other", Scope: "github:team:acme/admins:maintainer", ExpiresAt: "2026-03-01T12:00:00Z"},
	}
	md := Markdown(r, Meta{})
	if !strings.Contains(md, `jit\_elevation\.first\["a\|b"\] (github:team:acme/admins until 2026\-03\-01T11:00:00Z, listed in overlaps), jit\_elevation\.other (github:team:acme/admins:maintainer until 2026\-03\-01T12:00:00Z, not listed in overlaps)`+"\n") {
		t.Errorf("markdown does not show the overlaps:\n%s", md)
	}
	var b bytes.Buffer
	if err := Text(&b, r, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `; extends jit_elevation.first["a|b"] (github:team:acme/admins until 2026-03-01T11:00:00Z, listed in overlaps)`) {
		t.Errorf("text does not show the overlaps:\n%s", b.String())
	}
}
