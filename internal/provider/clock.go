package provider

import "time"

// Clock tells the time. The provider takes it as a value so unit tests can
// inject one; no setting or environment variable moves the real clock.
type Clock interface {
	Now() time.Time
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now().UTC() }
