package githubfake

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
)

// RecordDirEnv names the environment variable that, set to a directory,
// makes every Fake append each API exchange it serves to a file there, one
// JSON Exchange a line. `make test` sets it for the whole suite; the
// conformance test then checks every exchange against GitHub's API
// description.
const RecordDirEnv = "GITHUBFAKE_RECORD_DIR"

// SelfTestUserAgent marks the requests of this package's own tests, some of
// them deliberately invalid to see how the fake refuses them: the
// conformance test checks the fake's answers to them, but only the product's
// requests are held to the API description.
const SelfTestUserAgent = "githubfake-selftest"

// Exchange is one recorded API request and the fake's answer.
type Exchange struct {
	Route        string            `json:"route,omitempty"` // the docs template; "" when none matched
	Method       string            `json:"method"`
	Path         string            `json:"path"` // escaped, without the /api/v3 prefix
	Query        string            `json:"query,omitempty"`
	Params       map[string]string `json:"params,omitempty"`
	UserAgent    string            `json:"user_agent,omitempty"`
	RequestType  string            `json:"request_type,omitempty"`
	RequestBody  string            `json:"request_body,omitempty"`
	Status       int               `json:"status"`
	ResponseType string            `json:"response_type,omitempty"`
	ResponseBody string            `json:"response_body,omitempty"`
}

type recorder struct {
	dir  string
	mu   sync.Mutex
	file *os.File
	err  error
}

func recorderFromEnv() *recorder {
	if dir := os.Getenv(RecordDirEnv); dir != "" {
		return &recorder{dir: dir}
	}
	return nil
}

func (rec *recorder) record(r *http.Request, path string, rt *route, body []byte, resp *httptest.ResponseRecorder) {
	if rec == nil {
		return
	}
	ex := Exchange{
		Method:       r.Method,
		Path:         path,
		Query:        r.URL.RawQuery,
		UserAgent:    r.UserAgent(),
		RequestType:  r.Header.Get("Content-Type"),
		RequestBody:  string(body),
		Status:       resp.Code,
		ResponseType: resp.Header().Get("Content-Type"),
		ResponseBody: resp.Body.String(),
	}
	if rt != nil {
		ex.Route = rt.name
		_, ex.Params = findRoute(r.Method, path)
	}
	line, err := json.Marshal(ex)
	if err != nil {
		return
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.file == nil && rec.err == nil {
		rec.file, rec.err = os.CreateTemp(rec.dir, "exchanges-*.jsonl")
	}
	if rec.err != nil {
		return
	}
	_, _ = rec.file.Write(append(line, '\n'))
}

func (rec *recorder) close() {
	if rec == nil {
		return
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.file != nil {
		rec.file.Close()
		rec.file = nil
	}
}
