// Package conformance holds the fake GitHub to GitHub's own REST API
// description (@octokit/openapi, installed by scripts/ensure-openapi.sh):
// every route the fake serves must be an operation of the description, and
// every exchange recorded during a test run (githubfake.RecordDirEnv) must
// validate: the product's requests against the operation's parameters and
// body, the fake's responses against the schema for their status.
//
// Environment: GITHUB_OPENAPI_DESCRIPTION is the path of
// api.github.com.json, GITHUBFAKE_RECORDINGS the directory of a run's
// recordings (`make test` sets both, the second only for its conformance step
// after the run). Without the description the tests skip, unless CI=true or
// JIT_CONFORMANCE=required, when they fail; without recordings the
// exchange test skips unless JIT_CONFORMANCE=required.
package conformance

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
)

const (
	descriptionEnv = "GITHUB_OPENAPI_DESCRIPTION"
	recordingsEnv  = "GITHUBFAKE_RECORDINGS"
)

// missing skips, or fails when required says the input must be there.
func missing(t *testing.T, required bool, format string, args ...any) {
	t.Helper()
	if required {
		t.Fatalf(format+" (required: CI=true or JIT_CONFORMANCE=required)", args...)
	}
	t.Skipf(format, args...)
}

func conformanceRequired() bool { return os.Getenv("JIT_CONFORMANCE") == "required" }

var (
	loadOnce sync.Once
	doc      *openapi3.T
	loadErr  error
)

func description(t *testing.T) *openapi3.T {
	t.Helper()
	path := os.Getenv(descriptionEnv)
	required := conformanceRequired() || os.Getenv("CI") == "true"
	if path == "" {
		missing(t, required, "%s is not set: run scripts/ensure-openapi.sh (make test does)", descriptionEnv)
	}
	if _, err := os.Stat(path); err != nil {
		missing(t, required, "GitHub's API description is missing: %v", err)
	}
	loadOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, loadErr = loader.LoadFromFile(path)
	})
	if loadErr != nil {
		t.Fatalf("loading %s: %v", path, loadErr)
	}
	return doc
}

// operation returns the description's operation for a route template such
// as "GET /orgs/{org}".
func operation(d *openapi3.T, route string) (*routers.Route, bool) {
	method, path, _ := strings.Cut(route, " ")
	item := d.Paths.Find(path)
	if item == nil {
		return nil, false
	}
	op := item.GetOperation(method)
	if op == nil {
		return nil, false
	}
	return &routers.Route{Spec: d, Path: path, PathItem: item, Method: method, Operation: op}, true
}

// TestRoutesAreOperations: the fake serves nothing GitHub does not.
func TestRoutesAreOperations(t *testing.T) {
	d := description(t)
	n := 0
	for _, rt := range githubfake.Routes() {
		if _, ok := operation(d, rt); !ok {
			t.Errorf("%s is not an operation of GitHub's API description", rt)
			continue
		}
		n++
	}
	t.Logf("operations validated: %d of the %d routes the fake serves", n, len(githubfake.Routes()))
	fmt.Printf("conformance: %d operations validated\n", n)
}

// TestRecordedExchanges validates every exchange of a recorded test run.
func TestRecordedExchanges(t *testing.T) {
	d := description(t)
	dir := os.Getenv(recordingsEnv)
	if dir == "" {
		missing(t, conformanceRequired(), "%s is not set: make test records a run and sets it", recordingsEnv)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if len(files) == 0 {
		missing(t, conformanceRequired(), "no recorded exchanges in %s", dir)
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}
	var (
		requests, responses, undocumented, selfTest, exchanges int
		failures                                               = map[string][]string{}
		statuses                                               = map[string]int{}
	)
	fail := func(kind, route string, ex githubfake.Exchange, err error) {
		key := kind + " " + route + ": " + firstLine(err.Error())
		if len(failures[key]) < 3 {
			failures[key] = append(failures[key], fmt.Sprintf("%s %s?%s (%d) %s", ex.Method, ex.Path, ex.Query, ex.Status, clip(ex.ResponseBody)))
		} else {
			failures[key] = append(failures[key], "")
		}
	}
	for _, file := range files {
		for ex := range readExchanges(t, file) {
			exchanges++
			product := ex.UserAgent != githubfake.SelfTestUserAgent
			if !product {
				selfTest++
			}
			if ex.Route == "" {
				if product {
					fail("request", "(no route)", ex, fmt.Errorf("the product called %s %s, which the fake does not serve", ex.Method, ex.Path))
				}
				continue
			}
			route, ok := operation(d, ex.Route)
			if !ok {
				fail("route", ex.Route, ex, fmt.Errorf("not an operation of the description"))
				continue
			}
			req, err := http.NewRequest(ex.Method, "https://api.github.com"+ex.Path+query(ex.Query), strings.NewReader(ex.RequestBody))
			if err != nil {
				t.Fatal(err)
			}
			if ex.RequestType != "" {
				req.Header.Set("Content-Type", ex.RequestType)
			}
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: ex.Params, Route: route, Options: opts}
			if product {
				if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
					fail("request", ex.Route, ex, err)
				} else {
					requests++
				}
			}
			if route.Operation.Responses.Status(ex.Status) == nil {
				undocumented++
				statuses[fmt.Sprintf("%s %d", ex.Route, ex.Status)]++
				continue
			}
			header := http.Header{}
			if ex.ResponseType != "" {
				header.Set("Content-Type", ex.ResponseType)
			}
			err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
				RequestValidationInput: in, Status: ex.Status, Header: header,
				Body: io.NopCloser(bytes.NewReader([]byte(ex.ResponseBody))), Options: opts,
			})
			if err != nil {
				fail("response", fmt.Sprintf("%s %d", ex.Route, ex.Status), ex, err)
			} else {
				responses++
			}
		}
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range failures {
			if !yield(k) {
				return
			}
		}
	})
	for _, k := range keys {
		examples := failures[k]
		shown := slices.DeleteFunc(slices.Clone(examples), func(s string) bool { return s == "" })
		t.Errorf("%s\n  %d exchange(s), e.g.\n    %s", k, len(examples), strings.Join(shown, "\n    "))
	}
	var undoc []string
	for k, n := range statuses {
		undoc = append(undoc, fmt.Sprintf("%s ×%d", k, n))
	}
	sort.Strings(undoc)
	t.Logf("statuses the description does not list for their operation (not validated): %s", strings.Join(undoc, "; "))
	if requests == 0 || responses == 0 {
		t.Errorf("nothing validated in %d exchanges: is the recording broken?", exchanges)
	}
	fmt.Printf("conformance: %d exchanges recorded (%d from the fake's own tests): %d product requests and %d responses validated, %d responses with a status the description does not list\n",
		exchanges, selfTest, requests, responses, undocumented)
}

func query(q string) string {
	if q == "" {
		return ""
	}
	return "?" + q
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return clip(s)
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

func readExchanges(t *testing.T, file string) func(func(githubfake.Exchange) bool) {
	return func(yield func(githubfake.Exchange) bool) {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			var ex githubfake.Exchange
			if err := json.Unmarshal(sc.Bytes(), &ex); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			if !yield(ex) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
	}
}
