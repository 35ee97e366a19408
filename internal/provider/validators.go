package provider

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
)

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

func durationValidator() validator.String {
	return stringCheck{
		desc:  fmt.Sprintf("a Go duration, more than 0s and at most %s", policy.FormatDuration(policy.Ceiling)),
		check: func(s string) error { _, err := policy.ParseDuration(s); return err },
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

// principalRefValidator accepts a login or a team reference.
func principalRefValidator() validator.String {
	return stringCheck{
		desc:  `a GitHub login or "team:ORG/SLUG"`,
		check: func(s string) error { _, err := policy.ParseRef(s); return err },
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
