package githubfake

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Clock tells the fake the time: rate-limit windows, invitation expiry and
// timestamps follow it. A clock.Virtual shared with the client under test
// runs both in virtual time.
type Clock interface {
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Option configures New.
type Option func(*Fake)

// WithClock makes the fake read the time from c instead of the system clock.
func WithClock(c Clock) Option { return func(f *Fake) { f.clock = c } }

// WithCommentLimit makes issues refuse comments beyond n instead of
// GitHub's 2,500, so tests reach the limit quickly.
func WithCommentLimit(n int) Option { return func(f *Fake) { f.commentLimit = n } }

// enterprisePrefix is where GitHub Enterprise Server serves the REST API;
// the fake serves it there too.
const enterprisePrefix = "/api/v3/"

// Fake is the fake GitHub. The zero value is not usable; call New. All methods
// are safe for concurrent use.
type Fake struct {
	mu  sync.Mutex
	srv *httptest.Server

	accounts map[string]*account // by lower-case login; users, bots and orgs share one namespace
	tokens   map[string]*identity
	orgs     map[string]*org
	repos    map[string]*repo // by repoKey

	faults []*Fault
	calls  map[string]int

	clock     Clock
	nextID    int64
	lastEvent time.Time

	limits   rateLimits
	recorder *recorder

	commentLimit int // comments an issue takes; GitHub's is maxComments
	// assocDelay is how long after a merge GitHub takes to list the pull
	// request among its merge commit's pull requests (SetAssociationDelay).
	assocDelay time.Duration
}

// New returns a fake with no users, orgs, repositories or tokens. When the
// environment variable named by RecordDirEnv is set, it records every
// exchange there (see Exchange).
func New(opts ...Option) *Fake {
	f := &Fake{
		accounts: map[string]*account{},
		tokens:   map[string]*identity{},
		orgs:     map[string]*org{},
		repos:    map[string]*repo{},
		calls:    map[string]int{},
		nextID:   1000,
		clock:    systemClock{},
		limits:   defaultRateLimits(),
		recorder: recorderFromEnv(),

		commentLimit: maxComments,
	}
	for _, o := range opts {
		o(f)
	}
	return f
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

// EnterpriseURL is URL as GitHub Enterprise Server spells its API root,
// .../api/v3/. The fake serves the same API under it.
func (f *Fake) EnterpriseURL() string {
	return f.Server().URL + enterprisePrefix
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
	f.recorder.close()
}

// Calls returns how many requests were made to route, a GitHub docs route
// template such as "GET /orgs/{org}/teams/{team_slug}/members". Requests that
// failed (bad credentials, permissions, rate limits, injected faults) count
// too. Requests matching no route are counted under their literal method and
// path.
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

// ServeHTTP serves the fake GitHub API at the root and under /api/v3/, and,
// under /_fake/, the admin API.
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
	path, prefix := r.URL.EscapedPath(), ""
	if strings.HasPrefix(path, enterprisePrefix) {
		path, prefix = "/"+strings.TrimPrefix(path, enterprisePrefix), strings.TrimPrefix(enterprisePrefix, "/")
	}
	rt, params := findRoute(r.Method, path)

	// Handlers write into a recorder under the lock and the response is copied
	// out after unlocking, so a slow client cannot stall other requests.
	rec := httptest.NewRecorder()
	f.serveAPI(rec, r, body, rt, params, prefix)
	maps.Copy(w.Header(), rec.Header())
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
	f.recorder.record(r, path, rt, body, rec)
}

func (f *Fake) serveAPI(w http.ResponseWriter, r *http.Request, body []byte, rt *route, params map[string]string, prefix string) {
	f.mu.Lock()
	defer f.mu.Unlock()

	key := r.Method + " " + r.URL.Path
	if rt != nil {
		key = rt.name
	}
	f.calls[key]++
	w.Header().Set("X-GitHub-Media-Type", "github.v3; format=json")

	id, msg := f.authenticate(r)
	if id == nil {
		writeError(w, http.StatusUnauthorized, msg)
		return
	}
	if !f.limits.admit(f, w, r, id) {
		return
	}
	if rt == nil {
		writeNotFound(w)
		return
	}
	if in := id.inst; in != nil {
		if len(rt.perms) > 0 {
			w.Header().Set("X-Accepted-GitHub-Permissions", strings.Join(rt.perms, "; "))
		}
		if rt.userOnly || (len(rt.perms) > 0 && !in.hasAny(rt.perms)) {
			writeError(w, http.StatusForbidden, "Resource not accessible by integration")
			return
		}
	}
	c := &call{f: f, w: w, r: r, rt: rt, body: body, params: params, id: id, viewer: id.acct, prefix: prefix}
	if flt := f.takeFault(r); flt != nil {
		if flt.AfterApply {
			// The mutation happens but its response is lost, as when a
			// proxy drops GitHub's reply.
			c.w = httptest.NewRecorder()
			rt.handle(f, c)
		}
		f.writeFault(w, flt, id)
		return
	}
	rt.handle(f, c)
}

// newID returns a fresh ID; all entities share one sequence.
func (f *Fake) newID() int64 {
	f.nextID++
	return f.nextID
}

// now is the time of a new event: the clock's, but always at least a second
// after the previous event, so timestamps such as review submission times
// are strictly increasing even when the clock stands still.
func (f *Fake) now() time.Time {
	t := f.clock.Now().UTC().Truncate(time.Second)
	if !t.After(f.lastEvent) {
		t = f.lastEvent.Add(time.Second)
	}
	f.lastEvent = t
	return t
}

// seedError is the panic value of seeding methods given inconsistent input;
// the admin API turns it into a 400 response.
type seedError string

func (e seedError) Error() string { return string(e) }

func fail(format string, args ...any) {
	panic(seedError(fmt.Sprintf("githubfake: "+format, args...)))
}
