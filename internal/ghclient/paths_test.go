package ghclient

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// go-github resolves dot segments of the paths it builds, so an unescaped
// team ".." reads the organization's membership; Seg keeps every segment
// one segment, and the transport sends nothing whose path would resolve.
func TestSegKeepsEverySegmentOneSegment(t *testing.T) {
	var sent atomic.Int32
	var paths []string
	client, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		sent.Add(1)
		paths = append(paths, r.URL.EscapedPath())
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"role":"member","state":"active"}`))
	}, nil)
	ctx := context.Background()

	// Unescaped, go-github makes another resource of it.
	if _, _, err := client.Teams.GetTeamMembershipBySlug(ctx, "acme", "..", "mona"); err != nil {
		t.Fatal(err)
	}
	if paths[0] != "/api/v3/orgs/acme/memberships/mona" {
		t.Fatalf("unescaped path = %s; the test no longer shows what Seg is for", paths[0])
	}

	for _, bad := range []string{"..", ".", "..."} {
		_, _, err := client.Teams.GetTeamMembershipBySlug(ctx, Seg("acme"), Seg(bad), Seg("mona"))
		if err == nil || !strings.Contains(err.Error(), "is not a plain name") {
			t.Errorf("slug %q: err = %v, want the request refused", bad, err)
		}
	}
	if sent.Load() != 1 {
		t.Errorf("%d requests reached GitHub, want only the first", sent.Load())
	}

	for slug, want := range map[string]string{
		"on/call":  "/api/v3/orgs/acme/teams/on%2Fcall/memberships/mona",
		"on?call":  "/api/v3/orgs/acme/teams/on%3Fcall/memberships/mona",
		"on%call":  "/api/v3/orgs/acme/teams/on%25call/memberships/mona",
		".github":  "/api/v3/orgs/acme/teams/.github/memberships/mona",
		"sre.ops_": "/api/v3/orgs/acme/teams/sre.ops_/memberships/mona",
	} {
		paths = nil
		if _, _, err := client.Teams.GetTeamMembershipBySlug(ctx, Seg("acme"), Seg(slug), Seg("mona")); err != nil {
			t.Fatal(err)
		}
		if paths[0] != want {
			t.Errorf("slug %q sent as %s, want %s", slug, paths[0], want)
		}
	}
}
