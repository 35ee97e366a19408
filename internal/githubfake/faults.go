package githubfake

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault makes matching API requests fail. Faults are tried in the order they
// were injected; a request fails with the first one that still has Times
// left. Faulted requests are counted by Calls.
type Fault struct {
	// Method matches the HTTP method ("" matches any).
	Method string `json:"method,omitempty"`
	// PathPrefix matches the start of the request path, e.g.
	// "/orgs/acme/teams/" ("" matches any).
	PathPrefix string `json:"path_prefix,omitempty"`
	// Status is the response status. It defaults to 403 for Secondary and
	// RateLimitReset faults and to 502 otherwise. Other statuses get a JSON
	// body with their status text as message.
	Status int `json:"status,omitempty"`
	// RetryAfter is sent as the Retry-After header, in seconds. For a
	// RateLimitReset fault it is instead the number of seconds until
	// X-RateLimit-Reset (default 60), as GitHub sends no Retry-After then.
	RetryAfter string `json:"retry_after,omitempty"`
	// Secondary answers with GitHub's secondary rate limit body, which
	// go-github turns into *github.AbuseRateLimitError (for status 403).
	Secondary bool `json:"secondary,omitempty"`
	// RateLimitReset answers as an exhausted primary rate limit
	// (X-RateLimit-Remaining: 0), which go-github turns into
	// *github.RateLimitError and then refuses to send requests until the reset.
	RateLimitReset bool `json:"rate_limit_reset,omitempty"`
	// Times is how many matching requests fail: 0 means once, -1 forever.
	Times int `json:"times,omitempty"`
	// AfterApply performs the request's real effect before failing it, as
	// when GitHub applies a change but the response is lost.
	AfterApply bool `json:"after_apply,omitempty"`
}

// InjectFault adds a fault.
func (f *Fake) InjectFault(flt Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if flt.Times == 0 {
		flt.Times = 1
	}
	f.faults = append(f.faults, &flt)
}

// ClearFaults removes all faults.
func (f *Fake) ClearFaults() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = nil
}

// takeFault returns the fault that applies to r, using up one of its Times.
func (f *Fake) takeFault(r *http.Request) *Fault {
	for i, flt := range f.faults {
		if (flt.Method != "" && !strings.EqualFold(flt.Method, r.Method)) || !strings.HasPrefix(r.URL.Path, flt.PathPrefix) {
			continue
		}
		if flt.Times > 0 {
			flt.Times--
			if flt.Times == 0 {
				f.faults = append(f.faults[:i:i], f.faults[i+1:]...)
			}
		}
		return flt
	}
	return nil
}

const (
	secondaryDocs = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
	primaryDocs   = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits"
)

func (f *Fake) writeFault(w http.ResponseWriter, flt *Fault, id *identity) {
	status := flt.Status
	if status == 0 {
		status = http.StatusBadGateway
		if flt.Secondary || flt.RateLimitReset {
			status = http.StatusForbidden
		}
	}
	h := w.Header()
	switch {
	case flt.RateLimitReset:
		secs, err := strconv.Atoi(flt.RetryAfter)
		if err != nil {
			secs = 60
		}
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Used", strconv.Itoa(f.limits.perHour))
		h.Set("X-RateLimit-Reset", strconv.FormatInt(f.clock.Now().Add(time.Duration(secs)*time.Second).Unix(), 10))
		_, subject := id.rateKey()
		writeErrorDoc(w, status, fmt.Sprintf("API rate limit exceeded for %s.", subject), primaryDocs)
	case flt.Secondary:
		if flt.RetryAfter != "" {
			h.Set("Retry-After", flt.RetryAfter)
		}
		writeErrorDoc(w, status, secondaryMessage, secondaryDocs)
	default:
		if flt.RetryAfter != "" {
			h.Set("Retry-After", flt.RetryAfter)
		}
		writeError(w, status, http.StatusText(status))
	}
}
