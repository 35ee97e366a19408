package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/jitgate/terraform-provider-jit/internal/scope"
)

// MaxDurationCeiling is the hard ceiling on any grant; no configuration raises it.
const MaxDurationCeiling = 168 * time.Hour

// stringCheck adapts a plain check function to a framework string validator,
// so each rule has one home that both plan-time validation and the rest of the
// provider call.
type stringCheck struct {
	desc  string
	check func(string) error
}

func (v stringCheck) Description(context.Context) string         { return v.desc }
func (v stringCheck) MarkdownDescription(context.Context) string { return v.desc }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(), fmt.Sprintf("%s: %s", req.Path, err))
	}
}

// parseDuration accepts a Go duration that is positive and at most the ceiling.
func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: use Go syntax such as \"30m\", \"2h\" or \"1h30m\"", s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q must be positive (more than 0s and at most %s)", s, MaxDurationCeiling)
	}
	if d > MaxDurationCeiling {
		return 0, fmt.Errorf("%q exceeds the hard ceiling of %s (7 days) that no configuration raises", s, MaxDurationCeiling)
	}
	return d, nil
}

func durationValidator() validator.String {
	return stringCheck{
		desc:  fmt.Sprintf("a Go duration, more than 0s and at most %s", MaxDurationCeiling),
		check: func(s string) error { _, err := parseDuration(s); return err },
	}
}

func scopeValidator() validator.String {
	return stringCheck{
		desc: "a concrete scope: " + scope.Grammar,
		check: func(s string) error {
			_, err := scope.Parse(s)
			return err
		},
	}
}

func scopePatternValidator() validator.String {
	return stringCheck{
		desc: "a scope pattern: " + scope.Grammar + `, where "*" may stand for a whole segment or level`,
		check: func(s string) error {
			_, err := scope.ParsePattern(s)
			return err
		},
	}
}

func loginValidator() validator.String {
	return stringCheck{
		desc:  "a GitHub login: letters, digits and single hyphens, at most 39 characters",
		check: checkLogin,
	}
}

func checkLogin(s string) error {
	if !scope.ValidLogin(s) {
		return fmt.Errorf("%q is not a GitHub login: use letters, digits and single hyphens, at most 39 characters", s)
	}
	return nil
}

// teamRefPrefix marks a team in approvers and requesters: "team:ORG/SLUG".
const teamRefPrefix = "team:"

// principalRefValidator accepts a login or a team reference.
func principalRefValidator() validator.String {
	return stringCheck{
		desc: `a GitHub login or "team:ORG/SLUG"`,
		check: func(s string) error {
			if ref, ok := strings.CutPrefix(s, teamRefPrefix); ok {
				if _, err := scope.Parse("github:team:" + ref); err != nil {
					return fmt.Errorf("%q is not a team reference: want \"team:ORG/SLUG\"", s)
				}
				return nil
			}
			if !scope.ValidLogin(s) {
				return fmt.Errorf("%q is neither a GitHub login nor \"team:ORG/SLUG\"", s)
			}
			return nil
		},
	}
}

func regexValidator() validator.String {
	return stringCheck{
		desc: "an RE2 regular expression",
		check: func(s string) error {
			if _, err := regexp.Compile(s); err != nil {
				return fmt.Errorf("%q is not a valid RE2 expression: %v", s, err)
			}
			return nil
		},
	}
}
