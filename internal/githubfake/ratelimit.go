package githubfake

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Rate limits as GitHub applies them, per user and per installation: a
// primary budget of requests an hour, and secondary limits on
// content-creating requests (POST, PATCH, PUT, DELETE) of 80 a minute and
// 500 an hour, both over sliding windows of the fake's clock.
type rateLimits struct {
	perHour       int // primary
	writesPerMin  int // secondary; 0 turns the secondary limits off
	writesPerHour int
	windows       map[string]*rateWindow
	writes        map[string][]time.Time
}

type rateWindow struct {
	used  int
	reset time.Time
}

// DefaultRateLimit is the primary limit of requests an hour, that of a
// GitHub Enterprise Cloud user or installation.
const DefaultRateLimit = 15000

func defaultRateLimits() rateLimits {
	return rateLimits{
		perHour:       DefaultRateLimit,
		writesPerMin:  80,
		writesPerHour: 500,
		windows:       map[string]*rateWindow{},
		writes:        map[string][]time.Time{},
	}
}

// SetRateLimit sets the primary rate limit: requests an hour per user or
// installation. The last allowed request of a window is answered with
// X-RateLimit-Remaining: 0, the next with 403 until the reset, as on GitHub.
func (f *Fake) SetRateLimit(perHour int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if perHour < 1 {
		fail("rate limit %d is not positive", perHour)
	}
	f.limits.perHour = perHour
}

// SetSecondaryLimits sets how many content-creating requests (POST, PATCH,
// PUT, DELETE) a user or installation may make in any minute and in any
// hour before GitHub's secondary rate limit answers 403 without
// Retry-After. GitHub's are 80 and 500, the default; 0, 0 turns them off.
func (f *Fake) SetSecondaryLimits(perMinute, perHour int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if perMinute < 0 || perHour < 0 || (perMinute == 0) != (perHour == 0) {
		fail("secondary limits %d a minute, %d an hour: both positive, or both 0", perMinute, perHour)
	}
	f.limits.writesPerMin, f.limits.writesPerHour = perMinute, perHour
}

// rateKey names the budget id's requests count against, and the subject
// GitHub's message names.
func (id *identity) rateKey() (key, subject string) {
	if id.inst != nil {
		return fmt.Sprintf("installation:%d", id.inst.id), fmt.Sprintf("installation ID %d", id.inst.id)
	}
	return fmt.Sprintf("user:%d", id.acct.id), fmt.Sprintf("user ID %d", id.acct.id)
}

// admit charges the request to id's budgets and sets the rate-limit headers;
// false means it was refused (and the refusal written).
func (l *rateLimits) admit(f *Fake, w http.ResponseWriter, r *http.Request, id *identity) bool {
	key, subject := id.rateKey()
	now := f.clock.Now()
	win := l.windows[key]
	if win == nil || !now.Before(win.reset) {
		win = &rateWindow{reset: now.Add(time.Hour).Truncate(time.Second)}
		l.windows[key] = win
	}
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(l.perHour))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(win.reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
	if win.used >= l.perHour {
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Used", strconv.Itoa(win.used))
		writeErrorDoc(w, http.StatusForbidden, fmt.Sprintf("API rate limit exceeded for %s.", subject), primaryDocs)
		return false
	}
	win.used++
	h.Set("X-RateLimit-Remaining", strconv.Itoa(l.perHour-win.used))
	h.Set("X-RateLimit-Used", strconv.Itoa(win.used))

	if r.Method == http.MethodGet || r.Method == http.MethodHead || l.writesPerMin == 0 {
		return true
	}
	recent := l.writes[key]
	for len(recent) > 0 && !now.Before(recent[0].Add(time.Hour)) {
		recent = recent[1:]
	}
	lastMinute := 0
	for _, t := range recent {
		if now.Before(t.Add(time.Minute)) {
			lastMinute++
		}
	}
	if lastMinute >= l.writesPerMin || len(recent) >= l.writesPerHour {
		l.writes[key] = recent
		writeErrorDoc(w, http.StatusForbidden, secondaryMessage, secondaryDocs)
		return false
	}
	l.writes[key] = append(recent, now)
	return true
}

const secondaryMessage = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID FAKE:0000:0000."
