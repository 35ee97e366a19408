package policy

import (
	"strings"
	"testing"
	"time"
)

func TestVisibleLength(t *testing.T) {
	for in, want := range map[string]int{
		"OPS-7 investigate the paging outage": 35,
		"  padded  ":                          6,
		"two      words":                      9,
		strings.Repeat("\u200b", 20):          0, // zero-width spaces
		"a\u200d\u200c\u2060\ufeffb":          2, // joiners, word joiner, BOM
		"\u202eOPS-7\u202c":                   5, // bidi override and pop
		"so\u00adft":                          4, // soft hyphen
		"\u3164\u115f\u1160\uffa0":            0, // Hangul fillers
		"e\u0301\u0301\u0301":                 1, // combining marks stack on one letter
		"x\ufe0f":                             1, // variation selector
		"tab\tand\nnewline":                   15,
		"日本語":                                 3,
	} {
		if got := VisibleLength(in); got != want {
			t.Errorf("VisibleLength(%q) = %d, want %d", in, got, want)
		}
	}
}

// A reason made long by invisible characters is as short as what shows.
func TestCheckReasonCountsVisibleCharacters(t *testing.T) {
	pol := &Policy{Name: "p", MaxDuration: time.Hour, Reason: Reason{MinLength: 20, TicketRequired: true}}
	el := &Elevation{Principal: "mona", Scope: "github:team:acme/oncall", Duration: time.Hour,
		Reason: "fix" + strings.Repeat("\u200b", 20), Ticket: "\u200b\u2060"}
	got := CheckReason(el, pol)
	if len(got) != 2 || !strings.Contains(got[0].Message, "reason is 3 visible characters") || got[1].Attribute != "ticket" {
		t.Errorf("CheckReason = %+v, want the reason counted as 3 characters and the invisible ticket as empty", got)
	}
	el.Reason, el.Ticket = "OPS-7 investigate the paging outage", "OPS-7"
	if got := CheckReason(el, pol); len(got) != 0 {
		t.Errorf("CheckReason of a real reason = %+v", got)
	}
}
