package report

import (
	"net/url"
	"strings"
)

// Table pieces for other renderers of gate output (the audit records), so
// every table the gate writes has one shape. Cells must be escaped already.

// TableHead starts a table: a heading with the row count, the header row
// and the delimiter row.
func TableHead(title string, header []string, rows int) string {
	return tableHead(section{title: title, header: header, rows: make([][]string, rows)})
}

// TableRow writes escaped cells as one table row.
func TableRow(cells []string) string { return tableRow(cells) }

// List escapes each item and joins them with ", "; empty shows as "none".
func List(items []string) string { return list(items) }

// YesNo writes a flag.
func YesNo(b bool) string { return yesNo(b) }

// OrNone shows "" as "none".
func OrNone(s string) string { return orNone(s) }

// Link renders an http(s) URL as a markdown link with text (escaped), or
// "unknown" when u is not one or holds characters that could end the link
// early.
func Link(text, u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || strings.ContainsAny(u, " <>()[]\"'`\\") {
		return "unknown"
	}
	for _, r := range u {
		if r < 0x21 || r > 0x7e {
			return "unknown"
		}
	}
	return "[" + Escape(text) + "](" + u + ")"
}
