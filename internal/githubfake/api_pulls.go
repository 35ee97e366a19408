package githubfake

import (
	"cmp"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Handlers for pull requests, reviews, issues and issue comments.

// maxCommentLen is GitHub's limit on comment bodies, in characters.
const maxCommentLen = 65536

// maxComments is how many comments GitHub lets one issue or pull request
// have; beyond it, creating one is refused with 403.
const maxComments = 2500

// maxPullCommits is how many commits GitHub lists for a pull request.
const maxPullCommits = 250

func (c *call) lookupPull(r *repo) *issue {
	n, ok := c.intParam("pull_number")
	if !ok {
		return nil
	}
	is := r.pull(int(n))
	if is == nil {
		writeNotFound(c.w)
	}
	return is
}

func (c *call) lookupIssue(r *repo) *issue {
	n, ok := c.intParam("issue_number")
	if !ok {
		return nil
	}
	is := r.issues[int(n)]
	if is == nil {
		writeNotFound(c.w)
	}
	return is
}

// lookupComment finds a comment of this repository by ID.
func (c *call) lookupComment(r *repo) *comment {
	id, ok := c.intParam("comment_id")
	if !ok {
		return nil
	}
	cm := c.f.findComment(id)
	if cm == nil || cm.repo != r {
		writeNotFound(c.w)
		return nil
	}
	return cm
}

func (f *Fake) getPull(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	if is := c.lookupPull(r); is != nil {
		c.json(http.StatusOK, c.pullObj(r, is, true))
	}
}

func (f *Fake) listReviews(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	if is := c.lookupPull(r); is != nil {
		writePage(c, is.pr.reviews, func(rv *review) any { return c.reviewObj(r, is, rv) })
	}
}

func (f *Fake) listPullCommits(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	if is := c.lookupPull(r); is != nil {
		commits := is.pr.commits[:min(len(is.pr.commits), maxPullCommits)]
		writePage(c, commits, func(cm *commit) any {
			return c.commitObj(r, cm.sha, cm.author, cm.committer, cm.date, "", cm.parents)
		})
	}
}

// listCommitPulls finds the pull requests a commit belongs to: those listing
// it as a commit or head, and the merged one whose merge commit it is.
func (f *Fake) listCommitPulls(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	sha := c.params["commit_sha"]
	var found []*issue
	for _, n := range slices.Sorted(maps.Keys(r.issues)) {
		is := r.issues[n]
		if is.pr == nil {
			continue
		}
		p := is.pr
		listed := p.headSHA == sha || slices.ContainsFunc(p.commits, func(cm *commit) bool { return cm.sha == sha })
		if p.mergeSHA == sha && !c.f.clock.Now().Before(p.associated) {
			listed = true
		}
		if listed {
			found = append(found, is)
		}
	}
	writePage(c, found, func(is *issue) any { return c.pullObj(r, is, false) })
}

// listIssues lists issues and pull requests (which carry "pull_request"), by
// default open ones, newest first. labels=a,b keeps those having all of
// them; creator=LOGIN those LOGIN opened.
func (f *Fake) listIssues(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	q := c.r.URL.Query()
	state := cmp.Or(q.Get("state"), "open")
	if state != "open" && state != "closed" && state != "all" {
		writeValidation(c.w, "Issue", "state", "invalid", "")
		return
	}
	var want []string
	if l := q.Get("labels"); l != "" {
		for _, name := range strings.Split(l, ",") {
			want = append(want, lower(strings.TrimSpace(name)))
		}
	}
	var found []*issue
	for _, is := range r.issues {
		if state != "all" && is.state != state {
			continue
		}
		if cr := q.Get("creator"); cr != "" && (is.author == nil || lower(is.author.login) != lower(cr)) {
			continue
		}
		if slices.ContainsFunc(want, func(w string) bool {
			return !slices.ContainsFunc(is.labels, func(l *label) bool { return lower(l.name) == w })
		}) {
			continue
		}
		found = append(found, is)
	}
	key := func(is *issue) int64 { return is.created.UnixNano() }
	switch q.Get("sort") {
	case "updated":
		key = func(is *issue) int64 { return is.updated.UnixNano() }
	case "comments":
		key = func(is *issue) int64 { return int64(len(is.comments)) }
	}
	slices.SortFunc(found, func(a, b *issue) int {
		return cmp.Or(cmp.Compare(key(a), key(b)), cmp.Compare(a.number, b.number))
	})
	if q.Get("direction") != "asc" {
		slices.Reverse(found)
	}
	writePage(c, found, func(is *issue) any { return c.issueObj(r, is) })
}

// issueRequest is the body of issue create and update requests.
type issueRequest struct {
	Title  *string   `json:"title"`
	Body   *string   `json:"body"`
	State  *string   `json:"state"`
	Labels *[]string `json:"labels"`
}

func (f *Fake) createIssue(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	var req issueRequest
	if !c.decode(&req) {
		return
	}
	if req.Title == nil || *req.Title == "" {
		writeValidation(c.w, "Issue", "title", "missing_field", "")
		return
	}
	// "Only users with push access can set labels for new issues. Labels
	// are silently dropped otherwise."
	var labels []string
	if c.userAtLeast(r, "push") {
		labels = deref(req.Labels)
	}
	is := f.newIssue(r, 0, c.viewer, *req.Title, deref(req.Body), "open", labels)
	c.json(http.StatusCreated, c.issueObj(r, is))
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func (f *Fake) getIssue(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	if is := c.lookupIssue(r); is != nil && c.installationMay(is, "read") {
		c.json(http.StatusOK, c.issueObj(r, is))
	}
}

func (f *Fake) patchIssue(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	is := c.lookupIssue(r)
	if is == nil {
		return
	}
	if !c.installationMay(is, "write") {
		return
	}
	if is.author != c.viewer && !c.userAtLeast(r, "triage") {
		c.forbidden(adminMessage)
		return
	}
	var req issueRequest
	if !c.decode(&req) {
		return
	}
	if req.State != nil && *req.State != "open" && *req.State != "closed" {
		writeValidation(c.w, "Issue", "state", "invalid", "")
		return
	}
	if req.Title != nil {
		is.title = *req.Title
	}
	if req.Body != nil {
		is.body = *req.Body
	}
	if req.Labels != nil && c.userAtLeast(r, "push") { // silently dropped otherwise
		is.labels = f.labels(r, *req.Labels)
	}
	is.updated = f.now()
	if req.State != nil && *req.State != is.state {
		is.state = *req.State
		is.closed = time.Time{}
		if is.state == "closed" {
			is.closed = is.updated
		}
	}
	c.json(http.StatusOK, c.issueObj(r, is))
}

func (f *Fake) listComments(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	if is := c.lookupIssue(r); is != nil && c.installationMay(is, "read") {
		writePage(c, is.comments, func(cm *comment) any { return c.commentObj(cm) })
	}
}

// commentBody validates a comment body as GitHub does; false means a 422
// was written.
func (c *call) commentBody() (string, bool) {
	var req struct {
		Body *string `json:"body"`
	}
	if !c.decode(&req) {
		return "", false
	}
	if req.Body == nil || *req.Body == "" {
		writeValidation(c.w, "IssueComment", "body", "missing_field", "")
		return "", false
	}
	if utf8.RuneCountInString(*req.Body) > maxCommentLen {
		writeValidation(c.w, "IssueComment", "body", "custom", "body is too long (maximum is 65536 characters)")
		return "", false
	}
	return *req.Body, true
}

func (f *Fake) createComment(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	is := c.lookupIssue(r)
	if is == nil {
		return
	}
	if !c.installationMay(is, "write") {
		return
	}
	if len(is.comments) >= f.commentLimit {
		c.forbidden(fmt.Sprintf("Commenting is disabled on issues with more than %d comments", f.commentLimit))
		return
	}
	if body, ok := c.commentBody(); ok {
		c.json(http.StatusCreated, c.commentObj(f.addComment(r, is, c.viewer, body)))
	}
}

func (f *Fake) getComment(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	if cm := c.lookupComment(r); cm != nil && c.installationMay(cm.issue, "read") {
		c.json(http.StatusOK, c.commentObj(cm))
	}
}

// installationMay reports whether the caller, if an installation, holds
// level on issues, or on pull requests for a pull request (the route
// accepted either); false means a 403 was written.
func (c *call) installationMay(is *issue, level string) bool {
	in := c.id.inst
	if in == nil || in.has("issues", level) || (is.pr != nil && in.has("pull_requests", level)) {
		return true
	}
	c.notAccessible()
	return false
}

// editableComment returns the comment if the caller may change it: its
// author, anyone with write access to the repository (org owners have
// admin), or an installation with write on issues, or on pull requests for
// a pull request's comment.
func (c *call) editableComment() *comment {
	r := c.lookupRepo()
	if r == nil {
		return nil
	}
	cm := c.lookupComment(r)
	if cm == nil {
		return nil
	}
	if c.id.inst != nil {
		if !c.installationMay(cm.issue, "write") {
			return nil
		}
		return cm
	}
	if cm.author != c.viewer && !c.userAtLeast(r, "push") {
		c.forbidden(adminMessage)
		return nil
	}
	return cm
}

func (f *Fake) patchComment(c *call) {
	cm := c.editableComment()
	if cm == nil {
		return
	}
	if body, ok := c.commentBody(); ok {
		cm.body, cm.lastEditor, cm.updated = body, c.viewer, f.now()
		c.json(http.StatusOK, c.commentObj(cm))
	}
}

func (f *Fake) deleteComment(c *call) {
	cm := c.editableComment()
	if cm == nil {
		return
	}
	cm.issue.comments = slices.DeleteFunc(cm.issue.comments, func(x *comment) bool { return x == cm })
	c.noContent()
}

// collaboratorsMessage is GitHub's 422 for a review requested from someone
// (or a team) without access to the repository.
const collaboratorsMessage = "Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the %s repository."

// createPull opens a pull request from a branch of the same repository
// (POST /repos/{owner}/{repo}/pulls). Its commits are the head's
// first-parent history down to the base branch's head, its files the
// difference of their trees.
func (f *Fake) createPull(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	var req struct {
		Title, Head, Base, Body *string
	}
	if !c.decode(&req) {
		return
	}
	head := deref(req.Head)
	if owner, branch, ok := strings.Cut(head, ":"); ok && strings.EqualFold(owner, r.owner.login) {
		head = branch
	}
	switch {
	case deref(req.Title) == "":
		writeValidation(c.w, "PullRequest", "title", "missing_field", "")
		return
	case r.git.branches[deref(req.Base)] == "":
		writeValidation(c.w, "PullRequest", "base", "invalid", "")
		return
	case r.git.branches[head] == "":
		writeValidation(c.w, "PullRequest", "head", "invalid", "")
		return
	}
	base := deref(req.Base)
	headSHA, baseSHA := r.git.branches[head], r.git.branches[base]
	for _, is := range r.issues {
		if is.pr != nil && is.state == "open" && is.pr.headRef == head && is.pr.baseRef == base {
			writeValidation(c.w, "PullRequest", "", "custom", "A pull request already exists for "+r.owner.login+":"+head+".")
			return
		}
	}
	var commits []*commit
	for sha := headSHA; sha != baseSHA && sha != ""; {
		gc := r.git.commits[sha]
		commits = append([]*commit{{sha: gc.sha, author: gc.author, committer: gc.committer, date: gc.date}}, commits...)
		sha = ""
		if len(gc.parents) > 0 {
			sha = gc.parents[0]
		}
	}
	if len(commits) == 0 {
		writeValidation(c.w, "PullRequest", "", "custom", "No commits between "+base+" and "+head)
		return
	}
	is := f.newIssue(r, 0, c.viewer, *req.Title, deref(req.Body), "open", nil)
	is.pr = &pull{headSHA: headSHA, headRef: head, baseRef: base, baseSHA: baseSHA, commits: commits,
		files: treeDiff(r.git.commits[baseSHA].tree, r.git.commits[headSHA].tree)}
	c.json(http.StatusCreated, c.pullObj(r, is, true))
}

// requestReviewers asks users and teams of the repository's organization
// for a review (POST .../pulls/{pull_number}/requested_reviewers). GitHub
// refuses the pull request's author, and anyone or any team without access
// to the repository, with a 422 that names neither.
func (f *Fake) requestReviewers(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	is := c.lookupPull(r)
	if is == nil {
		return
	}
	if is.author != c.viewer && !c.userAtLeast(r, "triage") {
		c.forbidden("Must have triage access to request reviews.")
		return
	}
	var req struct {
		Reviewers     []string `json:"reviewers"`
		TeamReviewers []string `json:"team_reviewers"`
	}
	if !c.decode(&req) {
		return
	}
	notCollaborator := func() {
		writeError(c.w, http.StatusUnprocessableEntity, fmt.Sprintf(collaboratorsMessage, r.fullName()))
	}
	var users []*account
	for _, login := range req.Reviewers {
		a := f.user(login)
		switch {
		case a == is.author:
			writeError(c.w, http.StatusUnprocessableEntity, "Review cannot be requested from pull request author.")
			return
		case a == nil || f.effective(r, a) == "":
			notCollaborator()
			return
		}
		users = append(users, a)
	}
	var teams []*team
	for _, slug := range req.TeamReviewers {
		var t *team
		if r.org != nil {
			t = r.org.teams[lower(slug)]
		}
		if t == nil || !t.reaches(r) {
			notCollaborator()
			return
		}
		teams = append(teams, t)
	}
	for _, a := range users {
		if !slices.Contains(is.pr.requestedUsers, a) {
			is.pr.requestedUsers = append(is.pr.requestedUsers, a)
		}
	}
	for _, t := range teams {
		if !slices.Contains(is.pr.requestedTeams, t) {
			is.pr.requestedTeams = append(is.pr.requestedTeams, t)
		}
	}
	is.updated = f.now()
	c.json(http.StatusCreated, c.pullObj(r, is, false))
}
