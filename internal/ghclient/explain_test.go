package ghclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

func TestExplain(t *testing.T) {
	tests := map[string]struct {
		resp response
		want string
	}{
		"missing permission": {response{
			status:  http.StatusForbidden,
			headers: map[string]string{"X-Accepted-GitHub-Permissions": "members=read"},
			body:    `{"message":"Resource not accessible by integration"}`,
		}, "PUT /api/v3/repos/o/r/thing: GitHub answered 403 Resource not accessible by integration; the token needs the GitHub permission members=read"},
		"alternatives": {response{
			status:  http.StatusForbidden,
			headers: map[string]string{"X-Accepted-GitHub-Permissions": "issues=write; pull_requests=write"},
			body:    `{"message":"Resource not accessible by integration"}`,
		}, "the token needs one of the GitHub permissions issues=write or pull_requests=write"},
		"not found": {response{status: http.StatusNotFound, body: `{"message":"Not Found"}`},
			"PUT /api/v3/repos/o/r/thing: GitHub answered 404 Not Found (it does not exist, or the token cannot see it)"},
		"field errors": {response{status: http.StatusUnprocessableEntity,
			body: `{"message":"Validation Failed","errors":[{"resource":"Repository","code":"custom","message":"Cannot assign alice permission of read"},{"resource":"Repository","field":"permission","code":"invalid"}]}`},
			"GitHub answered 422 Validation Failed: Cannot assign alice permission of read; Repository permission invalid"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var hits atomic.Int32
			c, _ := newTestClient(t, respondSequence(&hits, tc.resp), nil)
			_, err := call(context.Background(), c, http.MethodPut, nil)
			explained := fmt.Errorf("grant x: %w", Explain(err))
			if got := explained.Error(); !strings.Contains(got, tc.want) {
				t.Errorf("explained = %q\nwant it to contain %q", got, tc.want)
			}
			if IsNotFound(explained) != (tc.resp.status == http.StatusNotFound) {
				t.Error("IsNotFound no longer sees through the explained error")
			}
			if Explain(explained) != explained {
				t.Error("explaining twice changed the error")
			}
		})
	}
	plain := errors.New("dial tcp: refused")
	if Explain(plain) != plain || Explain(nil) != nil {
		t.Error("Explain changed an error that is not GitHub's")
	}
}
