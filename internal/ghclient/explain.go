package ghclient

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v60/github"
)

// APIError is a GitHub API error spelled out for a person: what GitHub said,
// and what it means for the token. Explain builds it.
type APIError struct {
	Method, Path string // the request, without its query
	Status       int
	Message      string   // GitHub's message
	Details      []string // GitHub's per-field errors
	// Permissions lists what X-Accepted-GitHub-Permissions says the endpoint
	// accepts, one alternative each, e.g. "members=read" or
	// "issues=write; pull_requests=write" as two entries.
	Permissions []string

	err error
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: GitHub answered %d %s", e.Method, e.Path, e.Status, e.Message)
	if len(e.Details) > 0 {
		b.WriteString(": " + strings.Join(e.Details, "; "))
	}
	switch {
	case e.Status == http.StatusForbidden && len(e.Permissions) == 1:
		fmt.Fprintf(&b, "; the token needs the GitHub permission %s", e.Permissions[0])
	case e.Status == http.StatusForbidden && len(e.Permissions) > 1:
		fmt.Fprintf(&b, "; the token needs one of the GitHub permissions %s", strings.Join(e.Permissions, " or "))
	case e.Status == http.StatusUnauthorized:
		b.WriteString(" (the token is missing, mistyped, expired or revoked: check the secret that sets GITHUB_TOKEN or github.token)")
	case e.Status == http.StatusNotFound:
		b.WriteString(" (it does not exist, or the token cannot see it)")
	}
	return b.String()
}

// Unwrap returns the go-github error, so errors.As and IsNotFound still see it.
func (e *APIError) Unwrap() error { return e.err }

// Explain wraps a go-github API error so its text names the request, GitHub's
// message and field errors, and for a 403 the permission the token lacks
// (from X-Accepted-GitHub-Permissions), for a 404 that the object does not
// exist or is hidden from the token; go-github's own text ("404 Not Found
// []") says neither. Callers add which object they were reading or writing.
// Other errors, nil included, are returned unchanged.
func Explain(err error) error {
	var ae *APIError
	if errors.As(err, &ae) {
		return err
	}
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil {
		return err
	}
	e := &APIError{Status: er.Response.StatusCode, Message: er.Message, err: err}
	if e.Message == "" {
		e.Message = http.StatusText(e.Status)
	}
	if req := er.Response.Request; req != nil && req.URL != nil {
		e.Method, e.Path = req.Method, req.URL.Path
	}
	for _, fe := range er.Errors {
		switch {
		case fe.Message != "":
			e.Details = append(e.Details, fe.Message)
		case fe.Field != "":
			e.Details = append(e.Details, fmt.Sprintf("%s %s %s", fe.Resource, fe.Field, fe.Code))
		}
	}
	for _, alt := range strings.Split(er.Response.Header.Get("X-Accepted-GitHub-Permissions"), ";") {
		if alt = strings.TrimSpace(alt); alt != "" {
			e.Permissions = append(e.Permissions, alt)
		}
	}
	return e
}
