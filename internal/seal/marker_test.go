package seal

import (
	"reflect"
	"strings"
	"testing"
)

const sha = "0123456789abcdef0123456789abcdef01234567"

func TestMarkerRoundTrip(t *testing.T) {
	for _, m := range []Marker{
		{Version: Version, Kind: KindCheck, Head: sha},
		{Version: Version, Kind: KindRecord, Head: sha, Extra: map[string]string{"hmac": strings.Repeat("ab", 32), "seq": "42", "prev": "a.b", "part": "1/2"}},
		{Version: Legacy, Kind: KindRecord, Head: sha, Extra: map[string]string{"sha256": strings.Repeat("ab", 32)}},
	} {
		line, err := m.Format()
		if err != nil {
			t.Fatal(err)
		}
		got, ok := Parse(line + "\n## body")
		if !ok || !reflect.DeepEqual(got, m) {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", line, got, ok, m)
		}
	}
	line, _ := Marker{Kind: KindCheck, Head: sha}.Format()
	if want := "<!-- jit-gate v2 kind=check head=" + sha + " -->"; line != want {
		t.Errorf("Format = %q, want %q", line, want)
	}
}

func TestMarkerFormatRejects(t *testing.T) {
	for _, m := range []Marker{
		{Kind: "check", Head: ""},
		{Kind: "check", Head: "abc --> <b>"},
		{Kind: "", Head: sha},
		{Kind: "check", Head: sha, Extra: map[string]string{"head": "x"}},
		{Kind: "check", Head: sha, Extra: map[string]string{"Bad Key": "x"}},
		{Kind: "check", Head: sha, Extra: map[string]string{"k": "a-->"}},
		{Kind: "check", Head: sha, Extra: map[string]string{"k": "a\nb"}},
		{Version: "v3", Kind: "check", Head: sha},
	} {
		if s, err := m.Format(); err == nil {
			t.Errorf("Format(%+v) = %q, want error", m, s)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, body := range []string{
		"",
		"hello\n<!-- jit-gate v2 kind=check head=" + sha + " -->", // not the first line
		" <!-- jit-gate v2 kind=check head=" + sha + " -->",
		"<!-- jit-gate v3 kind=check head=" + sha + " -->",
		"<!-- jit-gate v2 kind=check -->",
		"<!-- jit-gate v2 head=" + sha + " -->",
		"<!-- jit-gate v2 kind=check head=" + sha + " head=ffff -->",
		"<!-- jit-gate v2 kind=check  head=" + sha + " -->",
		"<!-- jit-gate v2 kind=check head=" + sha + " junk -->",
		"<!-- jit-gate v2 kind=check head=" + sha,
		"<!-- jit-gate -->",
	} {
		if m, ok := Parse(body); ok {
			t.Errorf("Parse(%q) = %+v, want not a marker", body, m)
		}
	}
	if _, ok := Parse("<!-- jit-gate v2 kind=check head=" + sha + " -->\r\nbody"); !ok {
		t.Error("CRLF after the marker was not accepted")
	}
}
