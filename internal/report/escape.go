package report

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxFieldRunes bounds one piece of user text in markdown and comments, so a
// single huge reason cannot crowd the rest of a report out of a comment.
// The JSON output keeps the full value.
const MaxFieldRunes = 512

const (
	zwj       = "\u200d" // zero-width joiner: breaks @mention and #reference patterns invisibly
	lineBreak = "↵"      // shows where a user tried to start a new line
	ellipsis  = "…"
)

// mdPunct is every ASCII character that can start or end markdown syntax in
// GitHub-flavoured markdown (emphasis, links, images, code, headings, lists,
// tables, strikethrough, math, setext underlines). CommonMark lets any ASCII
// punctuation be backslash-escaped, so escaping the whole set is always safe.
const mdPunct = "\\`*_{}[]()#+-.!|~$="

// Escape turns user-written text (reasons, tickets, logins, addresses, and
// messages that quote them) into inline markdown that renders as the literal
// text and nothing else. It is the only way user text reaches markdown, the
// job summary or a PR comment. The result:
//   - stays on one line: line breaks show as "↵", tabs as a space, other
//     control and format characters (including bidi overrides and zero-width
//     characters) as U+FFFD;
//   - contains no raw HTML: & < > become entities, so "<!--" cannot open a
//     comment or forge the gate's marker;
//   - contains no markdown syntax: see mdPunct, each backslash-escaped;
//   - cannot notify anyone: GitHub resolves @mentions and #references on the
//     rendered HTML, after backslash escapes are gone, so a zero-width joiner
//     follows every @ and #;
//   - is at most MaxFieldRunes runes of the input, then "…".
func Escape(s string) string {
	s = clip(s, MaxFieldRunes)
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	forEachVisible(s, func(r rune) {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '@':
			b.WriteString("@" + zwj)
		case r == '#':
			b.WriteString("\\#" + zwj)
		case r < utf8.RuneSelf && strings.ContainsRune(mdPunct, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	})
	return b.String()
}

// Plain makes user text safe for a terminal or a CI log: one line, no
// control characters (so no ANSI escape sequences), and no "##[", which
// GitHub Actions reads as a legacy workflow command anywhere in a line
// ("::" commands count only at the start of a line, which user text never
// is). It does not shorten the text.
func Plain(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	forEachVisible(s, func(r rune) { b.WriteRune(r) })
	return strings.ReplaceAll(b.String(), legacyCommand, "##"+zwj+"[")
}

// legacyCommand starts a GitHub Actions workflow command of the old syntax.
const legacyCommand = "##["

// forEachVisible calls emit for every rune of s, with line breaks replaced by
// lineBreak, tabs by a space, and other control/format characters and
// invalid UTF-8 by U+FFFD, so nothing the user wrote can move the cursor,
// start a line or reorder text on screen. A CRLF pair is one line break.
func forEachVisible(s string, emit func(rune)) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '\r' && i < len(s) && s[i] == '\n':
			i++
			fallthrough
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' || r == '\u0085':
			for _, x := range lineBreak {
				emit(x)
			}
		case r == '\t':
			emit(' ')
		case r == utf8.RuneError && size <= 1,
			unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			emit(unicode.ReplacementChar)
		default:
			emit(r)
		}
	}
}

// clip shortens s to at most n runes, marking the cut with "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := 0; k < n; k++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i] + ellipsis
}

// WorkflowData escapes the message part of a GitHub Actions workflow command
// ("::error title=…::MESSAGE") so user text cannot end it or start another.
func WorkflowData(s string) string {
	return workflowEscaper.Replace(s)
}

// WorkflowProperty escapes a property value of a workflow command
// ("title=VALUE"), where ':' and ',' also delimit.
func WorkflowProperty(s string) string {
	return workflowPropertyEscaper.Replace(s)
}

var (
	workflowEscaper         = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	workflowPropertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)
