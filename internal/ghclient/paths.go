package ghclient

import (
	"fmt"
	"net/url"
	"strings"
)

// Seg escapes one path segment of a GitHub API URL: a login, an owner, a
// repository, a team slug or a ref. go-github puts its arguments into paths
// as they are and resolves the result against the base URL, so an
// unescaped "/" or "?" would split or end the path, and a "." or ".." would
// be resolved away: orgs/acme/teams/../memberships/mona is the organization
// membership. Seg escapes what url.PathEscape does and every dot of a
// segment that is only dots, so no segment can be resolved; RoundTrip then
// refuses such a request rather than send it (the scope grammar already
// refuses those names, this keeps every other caller honest too).
func Seg(s string) string {
	if strings.Trim(s, ".") == "" {
		return strings.Repeat("%2E", len(s))
	}
	return url.PathEscape(s)
}

// checkPath refuses a request whose path has a segment that means "this"
// or "the parent" once unescaped, or an empty one: GitHub's router may
// resolve them as go-github's URL handling would have.
func checkPath(u *url.URL) error {
	p := strings.Trim(u.EscapedPath(), "/")
	if p == "" {
		return nil
	}
	for _, s := range strings.Split(p, "/") {
		plain, err := url.PathUnescape(s)
		if err != nil || plain == "" || strings.Trim(plain, ".") == "" {
			return fmt.Errorf("refusing to send %s: path segment %q is not a plain name", u.EscapedPath(), s)
		}
	}
	return nil
}
