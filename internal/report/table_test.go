package report

import "testing"

func TestLink(t *testing.T) {
	for u, want := range map[string]string{
		"https://github.example/acme/infra/actions/runs/42": "[https://github\\.example/acme/infra/actions/runs/42](https://github.example/acme/infra/actions/runs/42)",
		"":                              "unknown",
		"javascript:alert(1)":           "unknown",
		"https://x.example/a)(b":        "unknown",
		"https://x.example/a b":         "unknown",
		"https://x.example/\u202eevil":  "unknown",
		"https://x.example/\"onclick=1": "unknown",
	} {
		if got := Link(u, u); got != want {
			t.Errorf("Link(%q) = %q, want %q", u, got, want)
		}
	}
}
