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
	// perms are the GitHub App permissions the endpoint accepts, one
	// alternative each ("members=read"), as X-Accepted-GitHub-Permissions
	// lists them; none means every installation may call it.
	perms []string
	// userOnly endpoints answer installations with 403: they need a user.
	userOnly bool
	// rest is true when the last parameter takes the rest of the path,
	// slashes included (a file path, a branch or a ref).
	rest bool
}

// userOnly marks an endpoint only a user-to-server token may call.
const userOnly = "user"

// routes lists every endpoint with the installation permissions GitHub
// documents for it ("Permissions required for GitHub Apps"). Where two
// templates could match the same path (issues/comments/{id} and
// issues/{issue_number}, commits/{sha}/pulls and commits/{ref}), the more
// literal one is listed first and wins.
var routes = buildRoutes([]routeDef{
	{"GET /user", (*Fake).getViewer, userOnly},
	{"GET /user/memberships/orgs/{org}", (*Fake).getViewerOrgMembership, userOnly},
	{"GET /user/{account_id}", (*Fake).getUserByID, ""},
	{"GET /users/{username}", (*Fake).getUser, ""},
	{"GET /orgs/{org}", (*Fake).getOrg, ""},
	{"GET /orgs/{org}/members", (*Fake).listOrgMembers, "members=read"},
	{"GET /orgs/{org}/members/{username}", (*Fake).checkOrgMember, "members=read"},
	{"GET /orgs/{org}/memberships/{username}", (*Fake).getOrgMembership, "members=read"},
	{"GET /orgs/{org}/invitations", (*Fake).listOrgInvitations, "members=read"},
	{"DELETE /orgs/{org}/invitations/{invitation_id}", (*Fake).cancelOrgInvitation, "members=write"},
	{"GET /orgs/{org}/teams", (*Fake).listTeams, "members=read"},
	{"GET /orgs/{org}/teams/{team_slug}", (*Fake).getTeam, "members=read"},
	{"GET /orgs/{org}/teams/{team_slug}/teams", (*Fake).listChildTeams, "members=read"},
	{"GET /orgs/{org}/teams/{team_slug}/members", (*Fake).listTeamMembers, "members=read"},
	{"GET /orgs/{org}/teams/{team_slug}/invitations", (*Fake).listTeamInvitations, "members=read"},
	{"GET /orgs/{org}/teams/{team_slug}/memberships/{username}", (*Fake).getTeamMembership, "members=read"},
	{"PUT /orgs/{org}/teams/{team_slug}/memberships/{username}", (*Fake).putTeamMembership, "members=write"},
	{"DELETE /orgs/{org}/teams/{team_slug}/memberships/{username}", (*Fake).deleteTeamMembership, "members=write"},

	{"GET /repos/{owner}/{repo}", (*Fake).getRepo, "metadata=read"},
	{"GET /repos/{owner}/{repo}/teams", (*Fake).listRepoTeams, "administration=read"},
	{"GET /repos/{owner}/{repo}/collaborators", (*Fake).listCollaborators, "metadata=read"},
	{"GET /repos/{owner}/{repo}/collaborators/{username}", (*Fake).checkCollaborator, "metadata=read"},
	{"PUT /repos/{owner}/{repo}/collaborators/{username}", (*Fake).putCollaborator, "administration=write"},
	{"DELETE /repos/{owner}/{repo}/collaborators/{username}", (*Fake).deleteCollaborator, "administration=write"},
	{"GET /repos/{owner}/{repo}/collaborators/{username}/permission", (*Fake).getPermission, "metadata=read"},
	{"GET /repos/{owner}/{repo}/invitations", (*Fake).listInvitations, "administration=read"},
	{"PATCH /repos/{owner}/{repo}/invitations/{invitation_id}", (*Fake).patchInvitation, "administration=write"},
	{"DELETE /repos/{owner}/{repo}/invitations/{invitation_id}", (*Fake).deleteInvitation, "administration=write"},

	{"POST /repos/{owner}/{repo}/pulls", (*Fake).createPull, "pull_requests=write"},
	{"GET /repos/{owner}/{repo}/pulls/{pull_number}", (*Fake).getPull, "pull_requests=read; contents=read"},
	{"POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", (*Fake).requestReviewers, "pull_requests=write"},
	{"GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews", (*Fake).listReviews, "pull_requests=read"},
	{"GET /repos/{owner}/{repo}/pulls/{pull_number}/commits", (*Fake).listPullCommits, "pull_requests=read"},
	{"GET /repos/{owner}/{repo}/pulls/{pull_number}/files", (*Fake).listPullFiles, "pull_requests=read"},
	{"GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", (*Fake).listCommitPulls, "pull_requests=read"},
	{"GET /repos/{owner}/{repo}/commits/{ref}", (*Fake).getCommit, "contents=read"},
	{"GET /repos/{owner}/{repo}/contents/{path}", (*Fake).getContents, "contents=read"},
	{"PUT /repos/{owner}/{repo}/contents/{path}", (*Fake).putContents, "contents=write"},
	{"GET /repos/{owner}/{repo}/branches/{branch}/protection", (*Fake).getBranchProtection, "administration=read"},
	{"GET /repos/{owner}/{repo}/branches/{branch}", (*Fake).getBranch, "contents=read"},
	{"GET /repos/{owner}/{repo}/git/ref/{ref}", (*Fake).getGitRef, "contents=read"},
	{"POST /repos/{owner}/{repo}/git/refs", (*Fake).createRef, "contents=write"},
	{"GET /repos/{owner}/{repo}/git/trees/{tree_sha}", (*Fake).getTree, "contents=read"},
	{"GET /repos/{owner}/{repo}/activity", (*Fake).listActivity, "contents=read"},
	{"GET /repos/{owner}/{repo}/rules/branches/{branch}", (*Fake).getBranchRules, "metadata=read"},
	{"GET /repos/{owner}/{repo}/rulesets", (*Fake).listRulesets, "metadata=read"},
	{"GET /repos/{owner}/{repo}/rulesets/{ruleset_id}", (*Fake).getRuleset, "metadata=read"},
	{"GET /repos/{owner}/{repo}/environments", (*Fake).listEnvironments, "actions=read"},
	{"GET /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies", (*Fake).listDeploymentBranchPolicies, "actions=read"},

	{"GET /repos/{owner}/{repo}/issues", (*Fake).listIssues, "issues=read"},
	{"POST /repos/{owner}/{repo}/issues", (*Fake).createIssue, "issues=write"},
	{"GET /repos/{owner}/{repo}/issues/comments/{comment_id}", (*Fake).getComment, "issues=read; pull_requests=read"},
	{"PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", (*Fake).patchComment, "issues=write; pull_requests=write"},
	{"DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}", (*Fake).deleteComment, "issues=write; pull_requests=write"},
	{"GET /repos/{owner}/{repo}/issues/{issue_number}", (*Fake).getIssue, "issues=read; pull_requests=read"},
	{"PATCH /repos/{owner}/{repo}/issues/{issue_number}", (*Fake).patchIssue, "issues=write; pull_requests=write"},
	{"GET /repos/{owner}/{repo}/issues/{issue_number}/comments", (*Fake).listComments, "issues=read; pull_requests=read"},
	{"POST /repos/{owner}/{repo}/issues/{issue_number}/comments", (*Fake).createComment, "issues=write; pull_requests=write"},
})

// restParams take the rest of the path when they end a template.
var restParams = map[string]bool{"{path}": true, "{ref}": true, "{branch}": true}

type routeDef struct {
	name   string
	handle func(*Fake, *call)
	perms  string
}

func buildRoutes(defs []routeDef) []*route {
	out := make([]*route, 0, len(defs))
	for _, d := range defs {
		method, path, _ := strings.Cut(d.name, " ")
		rt := &route{name: d.name, method: method, segs: strings.Split(strings.TrimPrefix(path, "/"), "/"), handle: d.handle}
		rt.rest = restParams[rt.segs[len(rt.segs)-1]]
		switch d.perms {
		case userOnly:
			rt.userOnly = true
		case "":
		default:
			for _, alt := range strings.Split(d.perms, ";") {
				rt.perms = append(rt.perms, strings.TrimSpace(alt))
			}
		}
		out = append(out, rt)
	}
	return out
}

// Routes returns the docs template of every endpoint the fake serves, such as
// "GET /orgs/{org}/teams/{team_slug}/members", in matching order.
func Routes() []string {
	out := make([]string, len(routes))
	for i, rt := range routes {
		out[i] = rt.name
	}
	return out
}

// findRoute matches the request path segment by segment. A path that matches
// only with another method is not found, as GitHub answers 404 (not 405).
func findRoute(method, escapedPath string) (*route, map[string]string) {
	raw := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	segs := make([]string, len(raw))
	for i, s := range raw {
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil, nil
		}
		segs[i] = u
	}
	for _, rt := range routes {
		if rt.method != method || len(segs) < len(rt.segs) || (!rt.rest && len(segs) != len(rt.segs)) {
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
	last := len(rt.segs) - 1
	for i, s := range rt.segs {
		if !strings.HasPrefix(s, "{") {
			if s != segs[i] {
				return nil, false
			}
			continue
		}
		v := segs[i]
		if i == last && rt.rest {
			v = strings.Join(segs[i:], "/")
		}
		if v == "" {
			return nil, false
		}
		params[s[1:len(s)-1]] = v
	}
	return params, true
}

// call is one API request being handled.
type call struct {
	f      *Fake
	w      http.ResponseWriter
	r      *http.Request
	rt     *route
	body   []byte
	params map[string]string
	id     *identity
	viewer *account // id.acct: the user, or the installation's bot
	prefix string   // "" or "api/v3/" (GitHub Enterprise Server paths)
}

// base is the API root as the client sees it, used to build "url" fields and
// Link headers.
func (c *call) base() string {
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.r.Host + "/" + c.prefix
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

// forbidden writes GitHub's 403 for a user without the role an endpoint
// needs.
func (c *call) forbidden(msg string) { writeError(c.w, http.StatusForbidden, msg) }

// notAccessible writes GitHub's 403 for an installation without the
// permission an endpoint (or this particular object) needs.
func (c *call) notAccessible() {
	writeError(c.w, http.StatusForbidden, "Resource not accessible by integration")
}

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
		return fmt.Sprintf(`<%s%s?%s>; rel="%s"`, c.base(), strings.TrimPrefix(c.r.URL.EscapedPath(), "/"+c.prefix), q.Encode(), rel)
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
	if field == "" {
		delete(e, "field")
	}
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
