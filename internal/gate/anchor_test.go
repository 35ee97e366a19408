package gate

import (
	"slices"
	"strings"
	"testing"

	"github.com/jitgate/terraform-provider-jit/internal/plan"
)

func TestTrustAnchor(t *testing.T) {
	p := &plan.Plan{}
	weak := &Anchor{Weaknesses: []Weakness{
		{Point: "branch.bypass", Summary: "app 42 (app:42) may bypass ruleset \"main\" (7), which alone requires\nbranch.pull_request", Fix: "remove it"},
		{Point: "environment.apply", Summary: "environment \"jit-apply\" may be used from any branch", Fix: "limit it to main"},
	}}
	tests := []struct {
		name   string
		mode   Mode
		anchor *Anchor
		want   []string // the messages' starts
	}{
		{"apply, set up well", ModeApply, &Anchor{}, nil},
		{"apply, weak", ModeApply, weak, []string{"branch.bypass: app 42 (app:42) may bypass ruleset \"main\" (7), which alone requires branch.pull_request; fix: remove it",
			"environment.apply: environment \"jit-apply\" may be used from any branch; fix: limit it to main"}},
		{"apply, not checked", ModeApply, nil, []string{"the repository's protection was not checked"}},
		{"pr mode is not judged on it", ModePR, nil, nil},
		{"nor drift mode", ModeDrift, weak, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Evaluate(p, Facts{Anchor: tt.anchor}, Options{Mode: tt.mode})
			var got []string
			for _, v := range r.Violations {
				if v.Rule != RuleTrustAnchor {
					t.Errorf("unexpected violation %+v", v)
				}
				got = append(got, v.Message)
			}
			if len(got) != len(tt.want) || !slices.EqualFunc(got, tt.want, strings.HasPrefix) {
				t.Errorf("violations %q, want %q", got, tt.want)
			}
			if (len(tt.want) > 0) != (r.Verdict == VerdictBlocked) {
				t.Errorf("verdict %s", r.Verdict)
			}
		})
	}
}
