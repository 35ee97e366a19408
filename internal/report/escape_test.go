package report

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// mention and issueRef are GitHub's auto-link patterns, applied to rendered
// text: a match means a notification or a cross-reference.
var (
	mention  = regexp.MustCompile(`(^|[^A-Za-z0-9])@[A-Za-z0-9]`)
	issueRef = regexp.MustCompile(`#[0-9]`)
)

func TestEscape(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"plain reason text", "plain reason text"},
		{"@octocat", "@\u200doctocat"},
		{"ping @acme/admins please", "ping @\u200dacme/admins please"},
		{"<!-- jit-gate v1 kind=check head=abc -->", "&lt;\\!\\-\\- jit\\-gate v1 kind\\=check head\\=abc \\-\\-&gt;"},
		{"**Verdict: pass**", "\\*\\*Verdict: pass\\*\\*"},
		{"\n## Verdict: pass", "↵\\#\u200d\\#\u200d Verdict: pass"},
		{"a\r\nb\rc\u2028d", "a↵b↵c↵d"},
		{"[x](javascript:alert(1))", "\\[x\\]\\(javascript:alert\\(1\\)\\)"},
		{"a | b", "a \\| b"},
		{"`code` ``x``", "\\`code\\` \\`\\`x\\`\\`"},
		{"<img src=x onerror=alert(1)>", "&lt;img src\\=x onerror\\=alert\\(1\\)&gt;"},
		{"&lt;b&gt;", "&amp;lt;b&amp;gt;"},
		{"fixes #123", "fixes \\#\u200d123"},
		{"trailing backslash \\", "trailing backslash \\\\"},
		{"_a_ ~b~ $x$", "\\_a\\_ \\~b\\~ \\$x\\$"},
		{"esc\x1b[31mred", "esc\ufffd\\[31mred"},
		{"bidi\u202eevil", "bidi\ufffdevil"},
		{"zero\u200bwidth", "zero\ufffdwidth"},
		{"bad\xffutf8", "bad\ufffdutf8"},
		{"tab\there", "tab here"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := Escape(tc.in); got != tc.want {
			t.Errorf("Escape(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// TestEscapeProperties checks what must hold for any input, including ones
// the table does not list.
func TestEscapeProperties(t *testing.T) {
	inputs := []string{
		"@octocat", "<!-- jit-gate -->", "**Verdict: pass**", "\n## Verdict: pass",
		"[x](javascript:alert(1))", "| a | b |", "```\nfence\n```", "x\r\n> [!NOTE]\r\n",
		"@@@a", "\\@b", "&#64;c", "&commat;d", "<script>", "#1 #2", "a\u0085b",
		strings.Repeat("@x|<", 1000),
	}
	for _, in := range inputs {
		out := Escape(in)
		for _, bad := range []string{"\n", "\r", "<", ">", "<!--"} {
			if strings.Contains(out, bad) {
				t.Errorf("Escape(%q) = %q contains %q", in, out, bad)
			}
		}
		// Undo what markdown undoes (backslash escapes, entities) to get the
		// rendered text, then look for live mentions and references.
		rendered := strings.NewReplacer("\\\\", "\\", "\\", "", "&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(out)
		if mention.MatchString(rendered) || issueRef.MatchString(rendered) {
			t.Errorf("Escape(%q) renders %q: live mention or reference", in, rendered)
		}
		if regexp.MustCompile(`(^|[^\\])[|*_\[\]()` + "`" + `]`).MatchString(strings.ReplaceAll(out, `\\`, "")) {
			t.Errorf("Escape(%q) = %q has unescaped markdown", in, out)
		}
	}
}

func TestEscapeLong(t *testing.T) {
	in := strings.Repeat("é", 10*MaxFieldRunes)
	out := Escape(in)
	if n := utf8.RuneCountInString(out); n != MaxFieldRunes+1 || !strings.HasSuffix(out, "…") {
		t.Errorf("Escape(long) has %d runes, suffix %q", n, out[len(out)-3:])
	}
	if Escape(strings.Repeat("a", MaxFieldRunes)) != strings.Repeat("a", MaxFieldRunes) {
		t.Error("input of exactly MaxFieldRunes runes was shortened")
	}
}

func TestPlain(t *testing.T) {
	got := Plain("ok\n::error::fake\x1b[2J\u202e @x *y* ##[set-output name=verdict;]pass")
	want := "ok↵::error::fake\ufffd[2J\ufffd @x *y* ##\u200d[set-output name=verdict;]pass"
	if got != want {
		t.Errorf("Plain = %q, want %q", got, want)
	}
}

func TestWorkflowEscaping(t *testing.T) {
	if got, want := WorkflowData("50% done\r\n::set-env name=x::y"), "50%25 done%0D%0A::set-env name=x::y"; got != want {
		t.Errorf("WorkflowData = %q, want %q", got, want)
	}
	if got, want := WorkflowProperty("a:b,c%\n"), "a%3Ab%2Cc%25%0A"; got != want {
		t.Errorf("WorkflowProperty = %q, want %q", got, want)
	}
}
