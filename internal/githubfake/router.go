package githubfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// route is one GitHub REST endpoint. name is the docs template ("GET
// /orgs/{org}") and is the key used for call counting.
type route struct {
	name   string
	method string
	segs   []string
	handle func(*Fake, *call)
}

// routes lists every endpoint. Where two templates could match the same path
// (issues/comments/{id} and issues/{issue_number}), the literal one is listed
// first and wins.
var routes = buildRoutes([]struct {
	name   string
	handle func(*Fake, *call)
}{
	{"GET /user", (*Fake).getViewer},
	{"GET /user/memberships/orgs/{org}", (*Fake).getViewerOrgMembership},
	{"GET /users/{username}", (*Fake).getUser},
	{"GET /orgs/{org}", (*Fake).getOrg},
	{"GET /orgs/{org}/members", (*Fake).listOrgMembers},
	{"GET /orgs/{org}/members/{username}", (*Fake).checkOrgMember},
	{"GET /orgs/{org}/memberships/{username}", (*Fake).getOrgMembership},
	{"GET /orgs/{org}/teams", (*Fake).listTeams},
	{"GET /orgs/{org}/teams/{team_slug}", (*Fake).getTeam},
	{"GET /orgs/{org}/teams/{team_slug}/members", (*Fake).listTeamMembers},
	{"GET /orgs/{org}/teams/{team_slug}/invitations", (*Fake).listTeamInvitations},
	{"GET /orgs/{org}/teams/{team_slug}/memberships/{username}", (*Fake).getTeamMembership},
	{"PUT /orgs/{org}/teams/{team_slug}/memberships/{username}", (*Fake).putTeamMembership},
	{"DELETE /orgs/{org}/teams/{team_slug}/memberships/{username}", (*Fake).deleteTeamMembership},

	{"GET /repos/{owner}/{repo}", (*Fake).getRepo},
	{"GET /repos/{owner}/{repo}/teams", (*Fake).listRepoTeams},
	{"GET /repos/{owner}/{repo}/collaborators", (*Fake).listCollaborators},
	{"GET /repos/{owner}/{repo}/collaborators/{username}", (*Fake).checkCollaborator},
	{"PUT /repos/{owner}/{repo}/collaborators/{username}", (*Fake).putCollaborator},
	{"DELETE /repos/{owner}/{repo}/collaborators/{username}", (*Fake).deleteCollaborator},
	{"GET /repos/{owner}/{repo}/collaborators/{username}/permission", (*Fake).getPermission},
	{"GET /repos/{owner}/{repo}/invitations", (*Fake).listInvitations},
	{"PATCH /repos/{owner}/{repo}/invitations/{invitation_id}", (*Fake).patchInvitation},
	{"DELETE /repos/{owner}/{repo}/invitations/{invitation_id}", (*Fake).deleteInvitation},

	{"GET /repos/{owner}/{repo}/pulls/{pull_number}", (*Fake).getPull},
	{"GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews", (*Fake).listReviews},
	{"GET /repos/{owner}/{repo}/pulls/{pull_number}/commits", (*Fake).listPullCommits},
	{"GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", (*Fake).listCommitPulls},

	{"GET /repos/{owner}/{repo}/issues", (*Fake).listIssues},
	{"POST /repos/{owner}/{repo}/issues", (*Fake).createIssue},
	{"GET /repos/{owner}/{repo}/issues/comments/{comment_id}", (*Fake).getComment},
	{"PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", (*Fake).patchComment},
	{"DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}", (*Fake).deleteComment},
	{"GET /repos/{owner}/{repo}/issues/{issue_number}", (*Fake).getIssue},
	{"PATCH /repos/{owner}/{repo}/issues/{issue_number}", (*Fake).patchIssue},
	{"GET /repos/{owner}/{repo}/issues/{issue_number}/comments", (*Fake).listComments},
	{"POST /repos/{owner}/{repo}/issues/{issue_number}/comments", (*Fake).createComment},
})

func buildRoutes(defs []struct {
	name   string
	handle func(*Fake, *call)
}) []*route {
	out := make([]*route, 0, len(defs))
	for _, d := range defs {
		method, path, _ := strings.Cut(d.name, " ")
		out = append(out, &route{name: d.name, method: method, segs: strings.Split(strings.TrimPrefix(path, "/"), "/"), handle: d.handle})
	}
	return out
}

// findRoute matches the request path segment by segment. A path that matches
// only with another method is not found, as GitHub answers 404 (not 405).
func findRoute(r *http.Request) (*route, map[string]string) {
	raw := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	segs := make([]string, len(raw))
	for i, s := range raw {
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil, nil
		}
		segs[i] = u
	}
	for _, rt := range routes {
		if rt.method != r.Method || len(rt.segs) != len(segs) {
			continue
		}
		if params, ok := rt.match(segs); ok {
			return rt, params
		}
	}
	return nil, nil
}

func (rt *route) match(segs []string) (map[string]string, bool) {
	params := map[string]string{}
	for i, s := range rt.segs {
		if strings.HasPrefix(s, "{") {
			if segs[i] == "" {
				return nil, false
			}
			params[s[1:len(s)-1]] = segs[i]
		} else if s != segs[i] {
			return nil, false
		}
	}
	return params, true
}

// call is one API request being handled.
type call struct {
	f      *Fake
	w      http.ResponseWriter
	r      *http.Request
	body   []byte
	params map[string]string
	viewer *account
}

// base is the API root as the client sees it, used to build "url" fields and
// Link headers.
func (c *call) base() string {
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.r.Host + "/"
}

// intParam parses a numeric path parameter; a non-number is a 404 on GitHub.
func (c *call) intParam(name string) (int64, bool) {
	n, err := strconv.ParseInt(c.params[name], 10, 64)
	if err != nil || n <= 0 {
		writeNotFound(c.w)
		return 0, false
	}
	return n, true
}

// decode parses the JSON request body into v; an empty body leaves v as is.
func (c *call) decode(v any) bool {
	if len(strings.TrimSpace(string(c.body))) == 0 {
		return true
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		writeError(c.w, http.StatusBadRequest, "Problems parsing JSON")
		return false
	}
	return true
}

func (c *call) json(status int, v any) { writeJSON(c.w, status, v) }

func (c *call) noContent() { c.w.WriteHeader(http.StatusNoContent) }

// paginate slices n items GitHub-style from the per_page (default 30, max
// 100) and page (1-based) query parameters, and sets the Link header with the
// other query parameters preserved. It returns the [start, end) range.
func (c *call) paginate(n int) (int, int) {
	q := c.r.URL.Query()
	perPage, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || perPage < 1 {
		perPage = 30
	}
	perPage = min(perPage, 100)
	page, err := strconv.Atoi(q.Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	last := max((n+perPage-1)/perPage, 1)

	link := func(p int, rel string) string {
		q.Set("page", strconv.Itoa(p))
		return fmt.Sprintf(`<%s%s?%s>; rel="%s"`, c.base(), strings.TrimPrefix(c.r.URL.EscapedPath(), "/"), q.Encode(), rel)
	}
	var links []string
	if page > 1 {
		links = append(links, link(min(page-1, last), "prev"))
	}
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"))
	}
	if len(links) > 0 {
		c.w.Header().Set("Link", strings.Join(links, ", "))
	}
	start := min((page-1)*perPage, n)
	return start, min(start+perPage, n)
}

// writePage writes the current page of items as a JSON array.
func writePage[T any](c *call, items []T, render func(T) any) {
	start, end := c.paginate(len(items))
	out := make([]any, 0, end-start)
	for _, it := range items[start:end] {
		out = append(out, render(it))
	}
	c.json(http.StatusOK, out)
}

type obj = map[string]any

const docsURL = "https://docs.github.com/rest"

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeErrorDoc(w, status, msg, docsURL)
}

func writeErrorDoc(w http.ResponseWriter, status int, msg, doc string) {
	writeJSON(w, status, obj{"message": msg, "documentation_url": doc, "status": strconv.Itoa(status)})
}

func writeNotFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, "Not Found")
}

// writeValidation writes GitHub's 422 "Validation Failed" with one error.
func writeValidation(w http.ResponseWriter, resource, field, code, msg string) {
	e := obj{"resource": resource, "field": field, "code": code}
	if msg != "" {
		e["message"] = msg
	}
	writeJSON(w, http.StatusUnprocessableEntity, obj{
		"message":           "Validation Failed",
		"errors":            []obj{e},
		"documentation_url": docsURL,
		"status":            "422",
	})
}
