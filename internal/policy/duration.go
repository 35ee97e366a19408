package policy

import (
	"fmt"
	"strings"
	"time"
)

// FormatDuration writes a duration as people do: 2h, 1h30m, 45m.
func FormatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// ValidDuration checks what every duration a policy or an elevation sets
// must be: positive, and at most the ceiling.
func ValidDuration(d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%s must be positive: every grant expires", FormatDuration(d))
	}
	if d > Ceiling {
		return fmt.Errorf("%s exceeds the hard ceiling of %s (7 days) that no configuration raises", FormatDuration(d), FormatDuration(Ceiling))
	}
	return nil
}

// ParseDuration reads a Go duration and checks it with ValidDuration.
func ParseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: use Go syntax such as \"30m\", \"2h\" or \"1h30m\"", s)
	}
	return d, ValidDuration(d)
}
