package githubfake

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// PullRequest seeds a pull request with AddPullRequest.
type PullRequest struct {
	Number  int    `json:"number,omitempty"` // 0 picks the next free issue number
	Author  string `json:"author"`
	Title   string `json:"title,omitempty"`
	Body    string `json:"body,omitempty"`
	HeadSHA string `json:"head_sha,omitempty"` // "" generates one
	HeadRef string `json:"head_ref,omitempty"` // "" means "pr-<number>"
	// HeadRepo ("owner/name") is the fork the head branch is in; "" is
	// the repository itself. Pushes to the branch are its activity.
	HeadRepo string `json:"head_repo,omitempty"`
	BaseRef  string `json:"base_ref,omitempty"` // "" means "main"
	// BaseSHA is the base branch's commit the pull request is compared
	// with; "" takes the base branch's head if the repository has that
	// branch, else generates one.
	BaseSHA        string `json:"base_sha,omitempty"`
	State          string `json:"state,omitempty"`  // "open" (default) or "closed"
	Merged         bool   `json:"merged,omitempty"` // implies State "closed"
	MergeCommitSHA string `json:"merge_commit_sha,omitempty"`
}

// Issue seeds an issue with AddIssue and is returned by Issues.
type Issue struct {
	Number int      `json:"number,omitempty"` // 0 picks the next free issue number
	Title  string   `json:"title"`
	Body   string   `json:"body,omitempty"`
	Author string   `json:"author"`
	Labels []string `json:"labels,omitempty"`
	State  string   `json:"state,omitempty"` // "open" (default) or "closed"
}

// Comment is an issue or pull request comment, as returned by Comments.
type Comment struct {
	ID           int64     `json:"id"`
	Author       string    `json:"author"`
	Body         string    `json:"body"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	LastEditedBy string    `json:"last_edited_by,omitempty"` // set by EditCommentAsUser and API edits
}

// newIssue allocates number (or the next free one) in the repository's
// number space, which issues and pull requests share.
func (f *Fake) newIssue(r *repo, number int, author *account, title, body, state string, labels []string) *issue {
	if number == 0 {
		number = 1
		for n := range r.issues {
			number = max(number, n+1)
		}
	}
	if r.issues[number] != nil {
		fail("%s/%s#%d already exists", r.owner.login, r.name, number)
	}
	if state == "" {
		state = "open"
	}
	if state != "open" && state != "closed" {
		fail("state %q is not open or closed", state)
	}
	now := f.now()
	is := &issue{id: f.newID(), number: number, title: title, body: body, author: author, state: state, created: now, updated: now}
	if state == "closed" {
		is.closed = now
	}
	is.labels = f.labels(r, labels)
	r.issues[number] = is
	return is
}

// labels returns the repository labels with these names, creating missing
// ones as GitHub does when an issue is created with them.
func (f *Fake) labels(r *repo, names []string) []*label {
	var out []*label
	for _, n := range names {
		l := r.labels[lower(n)]
		if l == nil {
			l = &label{id: f.newID(), name: n}
			r.labels[lower(n)] = l
		}
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

func fakeSHA(id int64) string { return fmt.Sprintf("%040x", id) }

// AddPullRequest creates a pull request and returns its number. It starts with
// no commits; add them with AddCommit.
func (f *Fake) AddPullRequest(owner, name string, pr PullRequest) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.mustRepo(owner, name)
	if pr.Merged {
		pr.State = "closed"
	}
	is := f.newIssue(r, pr.Number, f.mustAccount(pr.Author), pr.Title, pr.Body, pr.State, nil)
	p := &pull{headSHA: pr.HeadSHA, headRef: pr.HeadRef, baseRef: pr.BaseRef, baseSHA: pr.BaseSHA, merged: pr.Merged, mergeSHA: pr.MergeCommitSHA}
	if p.headSHA == "" {
		p.headSHA = fakeSHA(is.id)
	}
	if p.headRef == "" {
		p.headRef = fmt.Sprintf("pr-%d", is.number)
	}
	if pr.HeadRepo != "" {
		p.headRepo = f.mustRepo(splitRepo(pr.HeadRepo))
	}
	if p.baseRef == "" {
		p.baseRef = "main"
	}
	if p.baseSHA == "" {
		p.baseSHA = r.git.branches[p.baseRef]
	}
	if p.baseSHA == "" {
		p.baseSHA = fakeSHA(f.newID())
	}
	if p.merged && p.mergeSHA == "" {
		p.mergeSHA = fakeSHA(f.newID())
	}
	is.pr = p
	return is.number
}

// AddCommit appends a commit to a pull request and makes it the head, as
// one push to its head branch by the commit's committer (its author when
// GitHub's web-flow committed it in the web UI; else the pull request's
// author). authorLogin and committerLogin are the GitHub users the commit is
// linked to; "" gives a commit whose email matches no user (author: null).
// PushToPull names the pusher.
func (f *Fake) AddCommit(owner, name string, number int, sha, authorLogin, committerLogin string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.mustPull(owner, name, number)
	pusher := is.author
	for _, login := range []string{authorLogin, committerLogin} {
		if login != "" && !strings.EqualFold(login, "web-flow") {
			pusher = f.mustAccount(login)
		}
	}
	f.pushToPull(f.mustRepo(owner, name), is, pusher, false, []SeedCommit{{SHA: sha, Author: authorLogin, Committer: committerLogin}})
}

// AddReview submits a review by login and returns its ID. state is APPROVED,
// CHANGES_REQUESTED, COMMENTED or DISMISSED; commitSHA "" means the current
// head. Each review is submitted one second after the previous event.
func (f *Fake) AddReview(owner, name string, number int, login, state, commitSHA string) int64 {
	return f.AddReviewWithBody(owner, name, number, login, state, commitSHA, "")
}

// AddReviewWithBody is AddReview with a review body.
func (f *Fake) AddReviewWithBody(owner, name string, number int, login, state, commitSHA, body string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.mustPull(owner, name, number)
	switch state {
	case "APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED":
	default:
		fail("review state %q is not APPROVED, CHANGES_REQUESTED, COMMENTED or DISMISSED", state)
	}
	if commitSHA == "" {
		commitSHA = is.pr.headSHA
	}
	rv := &review{id: f.newID(), user: f.mustAccount(login), state: state, commitID: commitSHA, body: body, submitted: f.now()}
	is.pr.reviews = append(is.pr.reviews, rv)
	return rv.id
}

// DismissReview changes a review's state to DISMISSED, as a maintainer
// dismissing it (or branch protection on a new push) does.
func (f *Fake) DismissReview(owner, name string, number int, id int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, rv := range f.mustPull(owner, name, number).pr.reviews {
		if rv.id == id {
			rv.state = "DISMISSED"
			return
		}
	}
	fail("no review %d on %s/%s#%d", id, owner, name, number)
}

// SetHead moves a pull request's head to sha without adding a commit, as a
// force-push by its author to an existing commit does.
func (f *Fake) SetHead(owner, name string, number int, sha string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.mustPull(owner, name, number)
	before := is.pr.headSHA
	is.pr.headSHA = sha
	if is.pr.pushed {
		f.recordPush(is.pr.headRepoOr(f.mustRepo(owner, name)), is.pr.headRef, before, sha, true, is.author)
	}
}

// MergePR merges and closes a pull request. GET
// /repos/{owner}/{repo}/commits/{mergeCommitSHA}/pulls then finds it.
func (f *Fake) MergePR(owner, name string, number int, mergeCommitSHA string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.mustPull(owner, name, number)
	if is.pr.merged {
		fail("%s/%s#%d is already merged", owner, name, number)
	}
	is.pr.merged, is.pr.mergeSHA = true, mergeCommitSHA
	is.pr.associated = f.clock.Now().Add(f.assocDelay)
	is.state = "closed"
	is.closed = f.now()
	is.updated = is.closed
}

// SetAssociationDelay makes GET /repos/{owner}/{repo}/commits/{sha}/pulls
// leave a merged pull request out of its merge commit's list for d after
// the merge, as GitHub does for a moment while it associates them.
func (f *Fake) SetAssociationDelay(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.assocDelay = d
}

// AddIssue creates an issue (labels are created as needed) and returns its
// number.
func (f *Fake) AddIssue(owner, name string, is Issue) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.mustRepo(owner, name)
	return f.newIssue(r, is.Number, f.mustAccount(is.Author), is.Title, is.Body, is.State, is.Labels).number
}

// Issues returns a repository's issues, pull requests excluded, by number.
func (f *Fake) Issues(owner, name string) []Issue {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.mustRepo(owner, name)
	var out []Issue
	for _, n := range slices.Sorted(maps.Keys(r.issues)) {
		is := r.issues[n]
		if is.pr != nil {
			continue
		}
		var labels []string
		for _, l := range is.labels {
			labels = append(labels, l.name)
		}
		out = append(out, Issue{Number: is.number, Title: is.title, Body: is.body, Author: is.author.login, Labels: labels, State: is.state})
	}
	return out
}

// AddComment posts a comment by login on an issue or pull request and
// returns its ID.
func (f *Fake) AddComment(owner, name string, number int, login, body string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.mustRepo(owner, name)
	is := r.issues[number]
	if is == nil {
		fail("unknown issue %s/%s#%d", owner, name, number)
	}
	return f.addComment(r, is, f.mustAccount(login), body).id
}

func (f *Fake) addComment(r *repo, is *issue, a *account, body string) *comment {
	now := f.now()
	cm := &comment{id: f.newID(), repo: r, issue: is, author: a, body: body, created: now, updated: now}
	is.comments = append(is.comments, cm)
	is.updated = now
	return cm
}

// Comments returns the comments on an issue or pull request, oldest first.
func (f *Fake) Comments(owner, name string, number int) []Comment {
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.mustRepo(owner, name).issues[number]
	if is == nil {
		fail("unknown issue %s/%s#%d", owner, name, number)
	}
	var out []Comment
	for _, cm := range is.comments {
		c := Comment{ID: cm.id, Author: cm.author.login, Body: cm.body, CreatedAt: cm.created, UpdatedAt: cm.updated}
		if cm.lastEditor != nil {
			c.LastEditedBy = cm.lastEditor.login
		}
		out = append(out, c)
	}
	return out
}

// EditCommentAsUser simulates login editing a comment in the web UI (where
// admins may edit anyone's comment): the author stays, the body and
// updated_at change.
func (f *Fake) EditCommentAsUser(id int64, login, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cm := f.findComment(id)
	if cm == nil {
		fail("unknown comment %d", id)
	}
	cm.body, cm.lastEditor, cm.updated = body, f.mustAccount(login), f.now()
}

func (f *Fake) findComment(id int64) *comment {
	for _, r := range f.repos {
		for _, is := range r.issues {
			for _, cm := range is.comments {
				if cm.id == id {
					return cm
				}
			}
		}
	}
	return nil
}
