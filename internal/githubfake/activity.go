package githubfake

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Repository activity: who moved which ref from which commit to which, as
// GET /repos/{owner}/{repo}/activity lists it. Pushes to a pull request's
// head branch (AddCommit, PushToPull, SetHead) and to a repository's
// branches (PushCommit with Branch) are recorded in the repository that
// holds the branch: for a pull request from a fork, the fork.

// zeroSHA is the before of a branch's creation and the after of its deletion.
const zeroSHA = "0000000000000000000000000000000000000000"

// Activity types GitHub lists.
const (
	activityPush           = "push"
	activityForcePush      = "force_push"
	activityBranchCreation = "branch_creation"
)

type activity struct {
	id            int64
	before, after string
	ref           string   // refs/heads/NAME
	kind          string   // push, force_push, branch_creation, ...
	actor         *account // nil: GitHub cannot name the account (deleted)
	at            time.Time
}

// recordPush records that actor moved branch of r from before to after. A
// push to a branch with no commit yet is its creation.
func (f *Fake) recordPush(r *repo, branch, before, after string, force bool, actor *account) {
	kind := activityPush
	switch {
	case before == "" || before == zeroSHA:
		kind, before = activityBranchCreation, zeroSHA
	case force:
		kind = activityForcePush
	}
	r.activity = append(r.activity, &activity{
		id: f.newID(), before: before, after: after, ref: "refs/heads/" + branch, kind: kind, actor: actor, at: f.now(),
	})
}

// PullPush is one push to a pull request's head branch, for PushToPull.
type PullPush struct {
	// Pusher is the account that pushed; "" is the pull request's author.
	Pusher string `json:"pusher,omitempty"`
	// Commits are added in order, each the child of the one before; the
	// last becomes the head.
	Commits []SeedCommit `json:"commits"`
	// Force replaces the pull request's commits with Commits, as a force
	// push of a rewritten branch does.
	Force bool `json:"force,omitempty"`
}

// PushToPull pushes commits to a pull request's head branch as one push by
// p.Pusher, recorded in the activity of the repository the branch is in.
func (f *Fake) PushToPull(owner, name string, number int, p PullPush) {
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.mustPull(owner, name, number)
	pusher := is.author
	if p.Pusher != "" {
		pusher = f.mustAccount(p.Pusher)
	}
	if len(p.Commits) == 0 {
		fail("a push to %s/%s#%d without commits", owner, name, number)
	}
	f.pushToPull(f.mustRepo(owner, name), is, pusher, p.Force, p.Commits)
}

func (f *Fake) pushToPull(r *repo, is *issue, pusher *account, force bool, commits []SeedCommit) {
	pr := is.pr
	before := pr.headSHA
	if len(pr.commits) == 0 && !pr.pushed {
		before = "" // the branch is created by its first push
	}
	if force {
		pr.commits = nil
	}
	for _, sc := range commits {
		parent := pr.baseSHA
		if n := len(pr.commits); n > 0 {
			parent = pr.commits[n-1].sha
		}
		cm := &commit{sha: sc.SHA, parents: []string{parent}, date: f.now()}
		if sc.Author != "" {
			cm.author = f.mustAccount(sc.Author)
		}
		if sc.Committer != "" {
			cm.committer = f.mustAccount(sc.Committer)
		}
		pr.commits = append(pr.commits, cm)
		pr.headSHA = sc.SHA
		is.updated = cm.date
	}
	pr.pushed = true
	f.recordPush(pr.headRepoOr(r), pr.headRef, before, pr.headSHA, force, pusher)
}

// headRepoOr is the repository the head branch is in: the fork, or r.
func (p *pull) headRepoOr(r *repo) *repo {
	if p.headRepo != nil {
		return p.headRepo
	}
	return r
}

// listActivity lists the repository's activity, newest first unless
// direction=asc, filtered by ref (NAME or refs/heads/NAME), actor and
// activity_type, paginated by cursor as GitHub does: the Link header's
// "next" carries after=CURSOR and "prev" before=CURSOR.
func (f *Fake) listActivity(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	q := c.r.URL.Query()
	ref := q.Get("ref")
	if ref != "" && !strings.HasPrefix(ref, "refs/") {
		ref = "refs/heads/" + ref
	}
	var items []*activity
	for _, a := range r.activity {
		switch {
		case ref != "" && a.ref != ref:
		case q.Get("actor") != "" && (a.actor == nil || lower(a.actor.login) != lower(q.Get("actor"))):
		case q.Get("activity_type") != "" && a.kind != q.Get("activity_type"):
		default:
			items = append(items, a)
		}
	}
	switch q.Get("direction") {
	case "", "desc":
		slices.Reverse(items)
	case "asc":
	default:
		invalidActivityQuery(c, "direction")
		return
	}
	perPage, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || perPage < 1 {
		perPage = 30
	}
	perPage = min(perPage, 100)
	var start, end int
	position := func(cursor string) (int, bool) {
		id, ok := parseCursor(cursor)
		i := slices.IndexFunc(items, func(a *activity) bool { return a.id == id })
		return i, ok && i >= 0
	}
	switch after, before := q.Get("after"), q.Get("before"); {
	case after != "":
		i, ok := position(after)
		if !ok {
			invalidActivityQuery(c, "after")
			return
		}
		start = i + 1
		end = min(start+perPage, len(items))
	case before != "":
		i, ok := position(before)
		if !ok {
			invalidActivityQuery(c, "before")
			return
		}
		end = i
		start = max(end-perPage, 0)
	default:
		end = min(perPage, len(items))
	}
	page := items[start:end]
	var links []string
	link := func(key string, a *activity, rel string) string {
		lq := c.r.URL.Query()
		lq.Del("after")
		lq.Del("before")
		lq.Set(key, cursorOf(a.id))
		return fmt.Sprintf(`<%srepos/%s/%s/activity?%s>; rel="%s"`, c.base(), esc(r.owner.login), esc(r.name), lq.Encode(), rel)
	}
	if end < len(items) && len(page) > 0 {
		links = append(links, link("after", page[len(page)-1], "next"))
	}
	if start > 0 && len(page) > 0 {
		links = append(links, link("before", page[0], "prev"))
	}
	if len(links) > 0 {
		c.w.Header().Set("Link", strings.Join(links, ", "))
	}
	out := make([]obj, 0, len(page))
	for _, a := range page {
		out = append(out, obj{
			"id":            a.id,
			"node_id":       nodeID("RA", a.id),
			"before":        a.before,
			"after":         a.after,
			"ref":           a.ref,
			"timestamp":     ts(a.at),
			"activity_type": a.kind,
			"actor":         c.user(a.actor),
		})
	}
	c.json(http.StatusOK, out)
}

// invalidActivityQuery is the activity endpoint's 422, whose errors are
// strings (validation-error-simple).
func invalidActivityQuery(c *call, param string) {
	c.json(http.StatusUnprocessableEntity, obj{
		"message": "Validation Failed", "errors": []string{"Invalid " + param + " parameter"}, "documentation_url": docsURL, "status": "422",
	})
}

// Cursors are opaque to clients, as GitHub's are.
func cursorOf(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("cursor:" + strconv.FormatInt(id, 10)))
}

func parseCursor(s string) (int64, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(string(raw), "cursor:"), 10, 64)
	return n, err == nil && strings.HasPrefix(string(raw), "cursor:")
}

// headRepoName is the fork's "owner/name", "" for the repository itself.
func (p *pull) headRepoName() string {
	if p.headRepo == nil {
		return ""
	}
	return p.headRepo.fullName()
}
