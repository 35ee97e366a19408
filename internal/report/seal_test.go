package report

import (
	"strings"
	"testing"
)

func TestSeal(t *testing.T) {
	content := "### report\n\n| a | b |\n"
	body, err := Seal(Marker{Kind: KindCheck, Head: sha, Extra: map[string]string{"sha256": "stale", "run": "7"}}, content)
	if err != nil {
		t.Fatal(err)
	}
	want := "<!-- jit-gate v1 kind=check head=" + sha + " run=7 sha256=" + ContentHash(content) + " -->\n" + content
	if body != want {
		t.Fatalf("Seal =\n%q\nwant\n%q", body, want)
	}
	if len(ContentHash(content)) != 64 {
		t.Errorf("hash %q is not 64 hex digits", ContentHash(content))
	}

	tests := []struct {
		name string
		body string
		want Integrity
	}{
		{"as posted", body, Intact},
		{"CRLF line endings, as GitHub's editor saves", strings.ReplaceAll(body, "\n", "\r\n"), Intact},
		{"trailing whitespace trimmed", strings.TrimRight(body, "\n"), Intact},
		{"trailing whitespace added", body + "\n\n  ", Intact},
		{"a word changed", strings.Replace(body, "report", "rep0rt", 1), Edited},
		{"a line added", body + "approved by mallory\n", Edited},
		{"content removed", strings.SplitAfter(body, "\n")[0], Edited},
		{"blank line inserted", strings.Replace(body, "\n\n", "\n\n\n", 1), Edited},
		{"hash removed", "<!-- jit-gate v1 kind=check head=" + sha + " run=7 -->\n" + content, Unsealed},
	}
	for _, tc := range tests {
		m, got, ok := CheckSeal(tc.body)
		if !ok || got != tc.want || m.Kind != KindCheck || m.Head != sha {
			t.Errorf("%s: CheckSeal = %+v, %q, %v; want %q", tc.name, m, got, ok, tc.want)
		}
	}
	if _, _, ok := CheckSeal("just a comment"); ok {
		t.Error("CheckSeal of a comment without marker: ok")
	}
}

func TestCommentBodySealed(t *testing.T) {
	body, err := CommentBody(sample())
	if err != nil {
		t.Fatal(err)
	}
	if _, integrity, _ := CheckSeal(body); integrity != Intact {
		t.Errorf("check comment is %s", integrity)
	}
}
