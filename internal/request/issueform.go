package request

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// The issue form's field labels (examples/issue-forms/request-access.yml).
// GitHub writes a submitted form as "### Label\n\nvalue" sections.
const (
	labelPolicy     = "Policy"
	labelScope      = "Scope"
	labelDuration   = "Duration"
	labelReason     = "Reason"
	labelTicket     = "Ticket"
	labelBreakGlass = "Break-glass"
)

// noResponse is what GitHub writes for an optional field left empty.
const noResponse = "_No response_"

// FromIssue reads a request from an `issues` event (GITHUB_EVENT_PATH):
// the principal is the issue's author, who cannot be someone else, and the
// rest comes from the form's sections. Every value is then checked as a
// flag would be; none of it ever reaches a shell.
func FromIssue(eventPath string) (Request, int, error) {
	var ev struct {
		Issue struct {
			Number int    `json:"number"`
			Body   string `json:"body"`
			User   struct {
				Login string `json:"login"`
				Type  string `json:"type"`
			} `json:"user"`
		} `json:"issue"`
	}
	b, err := os.ReadFile(eventPath)
	if err != nil {
		return Request{}, 0, err
	}
	if err := json.Unmarshal(b, &ev); err != nil || ev.Issue.Number == 0 {
		return Request{}, 0, fmt.Errorf("%s is not an issues event", eventPath)
	}
	if ev.Issue.User.Type != "User" {
		return Request{}, 0, fmt.Errorf("issue #%d was opened by %s, a %s: only a person can request access", ev.Issue.Number, ev.Issue.User.Login, ev.Issue.User.Type)
	}
	form := parseForm(ev.Issue.Body)
	req := Request{Principal: ev.Issue.User.Login, Policy: form[labelPolicy], Scope: form[labelScope],
		Duration: form[labelDuration], Reason: form[labelReason], Ticket: form[labelTicket]}
	switch bg := form[labelBreakGlass]; {
	case bg == "" || strings.HasPrefix(bg, "- [ ]"):
	case strings.HasPrefix(strings.ToLower(bg), "- [x]"):
		req.BreakGlass = true
	default:
		return Request{}, 0, fmt.Errorf("issue #%d: the %s field is %q, not a checkbox", ev.Issue.Number, labelBreakGlass, bg)
	}
	var missing []string
	for _, f := range []struct{ label, v string }{{labelPolicy, req.Policy}, {labelScope, req.Scope}, {labelDuration, req.Duration}, {labelReason, req.Reason}} {
		if f.v == "" {
			missing = append(missing, f.label)
		}
	}
	if len(missing) > 0 {
		return Request{}, 0, fmt.Errorf("issue #%d does not fill in %s: open it from the access request form", ev.Issue.Number, strings.Join(missing, ", "))
	}
	return req, ev.Issue.Number, nil
}

// parseForm splits an issue form's body into its sections by label. A
// label given twice (someone editing the body by hand) keeps neither, so a
// value is never silently picked.
func parseForm(body string) map[string]string {
	out := map[string]string{}
	seen := map[string]int{}
	var label string
	var value []string
	flush := func() {
		if label == "" {
			return
		}
		seen[label]++
		v := strings.TrimSpace(strings.Join(value, "\n"))
		if v == noResponse {
			v = ""
		}
		out[label] = v
	}
	for _, line := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n") {
		if l, ok := strings.CutPrefix(line, "### "); ok {
			flush()
			label, value = strings.TrimSpace(l), nil
			continue
		}
		value = append(value, line)
	}
	flush()
	for l, n := range seen {
		if n > 1 {
			out[l] = ""
		}
	}
	return out
}
