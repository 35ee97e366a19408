package githubfake

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// rateLimit is the X-RateLimit-Limit advertised on every response (the limit
// of a GitHub Enterprise Cloud token).
const rateLimit = 15000

// Fake is the fake GitHub. The zero value is not usable; call New. All methods
// are safe for concurrent use.
type Fake struct {
	mu  sync.Mutex
	srv *httptest.Server

	accounts map[string]*account // by lower-case login; users, bots and orgs share one namespace
	tokens   map[string]*account
	orgs     map[string]*org
	repos    map[string]*repo // by repoKey

	faults []*Fault
	calls  map[string]int

	nextID    int64
	clockBase time.Time
	ticks     int64

	// Primary rate limit window, in real time, so the headers look like
	// GitHub's hourly window.
	rateUsed  int
	rateReset time.Time
}

// New returns a fake with no users, orgs, repositories or tokens.
func New() *Fake {
	return &Fake{
		accounts:  map[string]*account{},
		tokens:    map[string]*account{},
		orgs:      map[string]*org{},
		repos:     map[string]*repo{},
		calls:     map[string]int{},
		nextID:    1000,
		clockBase: time.Now().UTC().Truncate(time.Second),
	}
}

// Server starts the fake on a local httptest server on first use and returns
// it; later calls return the same server.
func (f *Fake) Server() *httptest.Server {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.srv == nil {
		f.srv = httptest.NewServer(f)
	}
	return f.srv
}

// URL returns the base URL of the server started by Server (starting it if
// needed), with a trailing slash, ready for go-github's Client.BaseURL.
func (f *Fake) URL() string {
	return f.Server().URL + "/"
}

// Close shuts down the server started by Server, if any.
func (f *Fake) Close() {
	f.mu.Lock()
	srv := f.srv
	f.srv = nil
	f.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// AddToken makes token authenticate as login, which must exist. Requests send
// it as "Authorization: Bearer <token>" or "Authorization: token <token>".
func (f *Fake) AddToken(token, login string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens[token] = f.mustAccount(login)
}

// Calls returns how many requests were made to route, a GitHub docs route
// template such as "GET /orgs/{org}/teams/{team_slug}/members". Requests that
// failed (bad credentials, injected faults) count too. Requests matching no
// route are counted under their literal method and path.
func (f *Fake) Calls(route string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[route]
}

// AllCalls returns a copy of all call counts by route.
func (f *Fake) AllCalls() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.calls)
}

// TotalCalls returns the number of API requests made (admin requests under
// /_fake/ are not counted).
func (f *Fake) TotalCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		n += c
	}
	return n
}

// ResetCalls sets all call counts to zero.
func (f *Fake) ResetCalls() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.calls)
}

// ServeHTTP serves the fake GitHub API and, under /_fake/, the admin API.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, adminPrefix) {
		f.serveAdmin(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "Problems reading request body")
		return
	}
	rt, params := findRoute(r)

	// Handlers write into a recorder under the lock and the response is copied
	// out after unlocking, so a slow client cannot stall other requests.
	rec := httptest.NewRecorder()
	f.serveAPI(rec, r, body, rt, params)
	maps.Copy(w.Header(), rec.Header())
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func (f *Fake) serveAPI(w http.ResponseWriter, r *http.Request, body []byte, rt *route, params map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()

	key := r.Method + " " + r.URL.Path
	if rt != nil {
		key = rt.name
	}
	f.calls[key]++
	f.setRateHeaders(w)

	viewer, msg := f.authenticate(r)
	if viewer == nil {
		writeError(w, http.StatusUnauthorized, msg)
		return
	}
	if rt == nil {
		writeNotFound(w)
		return
	}
	c := &call{f: f, w: w, r: r, body: body, params: params, viewer: viewer}
	if flt := f.takeFault(r); flt != nil {
		if flt.AfterApply {
			// The mutation happens but its response is lost, as when a
			// proxy drops GitHub's reply.
			c.w = httptest.NewRecorder()
			rt.handle(f, c)
		}
		f.writeFault(w, flt, viewer)
		return
	}
	rt.handle(f, c)
}

func (f *Fake) authenticate(r *http.Request) (*account, string) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok {
		return nil, "Requires authentication"
	}
	if !strings.EqualFold(scheme, "bearer") && !strings.EqualFold(scheme, "token") {
		return nil, "Bad credentials"
	}
	if a := f.tokens[strings.TrimSpace(token)]; a != nil {
		return a, ""
	}
	return nil, "Bad credentials"
}

func (f *Fake) setRateHeaders(w http.ResponseWriter) {
	now := time.Now()
	if now.After(f.rateReset) {
		f.rateUsed = 0
		f.rateReset = now.Add(time.Hour).Truncate(time.Second)
	}
	f.rateUsed++
	// Never advertise 0 remaining on a successful response: go-github would
	// then refuse to send further requests until the reset.
	remaining := max(rateLimit-f.rateUsed, 1)
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(rateLimit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Used", strconv.Itoa(f.rateUsed))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(f.rateReset.Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
	h.Set("X-GitHub-Media-Type", "github.v3; format=json")
}

// newID returns a fresh ID; all entities share one sequence.
func (f *Fake) newID() int64 {
	f.nextID++
	return f.nextID
}

// now is a logical clock: every call is one second after the previous one,
// so timestamps such as review submission times are strictly increasing.
func (f *Fake) now() time.Time {
	f.ticks++
	return f.clockBase.Add(time.Duration(f.ticks) * time.Second)
}

// seedError is the panic value of seeding methods given inconsistent input;
// the admin API turns it into a 400 response.
type seedError string

func (e seedError) Error() string { return string(e) }

func fail(format string, args ...any) {
	panic(seedError(fmt.Sprintf("githubfake: "+format, args...)))
}
