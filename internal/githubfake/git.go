package githubfake

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// A repository's git history as far as the contents and commits endpoints
// show it: commits with their parents and whole trees, branches and tags.

// maxPullFiles is how many files GitHub lists for a pull request.
const maxPullFiles = 3000

type gitData struct {
	defaultBranch string
	commits       map[string]*gitCommit // by SHA
	branches      map[string]string     // name -> SHA
	tags          map[string]string     // name -> SHA
}

func newGitData() gitData {
	return gitData{defaultBranch: "main", commits: map[string]*gitCommit{}, branches: map[string]string{}, tags: map[string]string{}}
}

type gitCommit struct {
	sha               string
	parents           []string
	author, committer *account
	message           string
	date              time.Time
	tree              map[string]string // path -> content
}

// RepoCommit seeds a commit of a repository's history with PushCommit.
type RepoCommit struct {
	SHA string `json:"sha,omitempty"` // "" derives one from the content
	// Parents are the commit's parents, first parent first; the tree starts
	// as the first parent's. A merge commit has two.
	Parents   []string `json:"parents,omitempty"`
	Author    string   `json:"author,omitempty"` // GitHub users; "" is an unlinked author
	Committer string   `json:"committer,omitempty"`
	Message   string   `json:"message,omitempty"`
	// Files are added or changed (path -> content), Deleted removed.
	Files   map[string]string `json:"files,omitempty"`
	Deleted []string          `json:"deleted,omitempty"`
	// Branch, if set, is created or moved to the commit, by a push of
	// Pusher (default: Committer, else Author) that the repository's
	// activity lists.
	Branch string `json:"branch,omitempty"`
	Pusher string `json:"pusher,omitempty"`
}

// PullFile is a file changed by a pull request, as its files endpoint
// lists it.
type PullFile struct {
	Filename         string `json:"filename"`
	Status           string `json:"status,omitempty"` // added, removed, modified (default), renamed, ...
	Additions        int    `json:"additions,omitempty"`
	Deletions        int    `json:"deletions,omitempty"`
	Patch            string `json:"patch,omitempty"`
	PreviousFilename string `json:"previous_filename,omitempty"`
}

func hashHex(parts ...string) string {
	h := sha1.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func blobSHA(content string) string {
	h := sha1.Sum([]byte(fmt.Sprintf("blob %d\x00%s", len(content), content)))
	return hex.EncodeToString(h[:])
}

// treeSHA is the fake's stand-in for the SHA of a commit's tree.
func treeSHA(commitSHA string) string { return hashHex("tree", commitSHA) }

// PushCommit adds a commit to a repository's history and returns its SHA.
func (f *Fake) PushCommit(owner, name string, rc RepoCommit) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.mustRepo(owner, name)
	tree := map[string]string{}
	for i, p := range rc.Parents {
		parent := r.git.commits[p]
		if parent == nil {
			fail("%s/%s has no commit %s", owner, name, p)
		}
		if i == 0 {
			maps.Copy(tree, parent.tree)
		}
	}
	maps.Copy(tree, rc.Files)
	for _, p := range rc.Deleted {
		if _, ok := tree[p]; !ok {
			fail("cannot delete %s: not in the tree", p)
		}
		delete(tree, p)
	}
	gc := &gitCommit{sha: rc.SHA, parents: slices.Clone(rc.Parents), message: rc.Message, date: f.now(), tree: tree}
	if rc.Author != "" {
		gc.author = f.mustAccount(rc.Author)
	}
	if rc.Committer != "" {
		gc.committer = f.mustAccount(rc.Committer)
	}
	if gc.sha == "" {
		parts := append([]string{rc.Message, fmt.Sprint(f.newID())}, rc.Parents...)
		for _, p := range slices.Sorted(maps.Keys(tree)) {
			parts = append(parts, p, tree[p])
		}
		gc.sha = hashHex(parts...)
	}
	if r.git.commits[gc.sha] != nil {
		fail("%s/%s already has a commit %s", owner, name, gc.sha)
	}
	r.git.commits[gc.sha] = gc
	if rc.Branch != "" {
		pusher := gc.author
		if gc.committer != nil {
			pusher = gc.committer
		}
		if rc.Pusher != "" {
			pusher = f.mustAccount(rc.Pusher)
		}
		before := r.git.branches[rc.Branch]
		r.git.branches[rc.Branch] = gc.sha
		f.recordPush(r, rc.Branch, before, gc.sha, before != "" && !r.git.ancestor(before, gc.sha), pusher)
	}
	return gc.sha
}

// ancestor reports whether commit a is sha or one of its ancestors.
func (g *gitData) ancestor(a, sha string) bool {
	seen := map[string]bool{}
	todo := []string{sha}
	for len(todo) > 0 {
		s := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if s == a {
			return true
		}
		if gc := g.commits[s]; gc != nil && !seen[s] {
			seen[s] = true
			todo = append(todo, gc.parents...)
		}
	}
	return false
}

// SetBranch creates or moves a branch to a commit of the repository.
func (f *Fake) SetBranch(owner, name, branch, sha string) {
	f.pointRef(owner, name, sha, func(g *gitData) { g.branches[branch] = sha })
}

// SetTag creates or moves a tag to a commit of the repository.
func (f *Fake) SetTag(owner, name, tag, sha string) {
	f.pointRef(owner, name, sha, func(g *gitData) { g.tags[tag] = sha })
}

func (f *Fake) pointRef(owner, name, sha string, set func(*gitData)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.mustRepo(owner, name)
	if r.git.commits[sha] == nil {
		fail("%s/%s has no commit %s", owner, name, sha)
	}
	set(&r.git)
}

// SetDefaultBranch names the repository's default branch ("main" unless
// set), which the contents API reads when no ref is given.
func (f *Fake) SetDefaultBranch(owner, name, branch string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mustRepo(owner, name).git.defaultBranch = branch
}

// SetPullFiles sets the files a pull request changes. GitHub lists at most
// 3000 of them, whatever the pagination.
func (f *Fake) SetPullFiles(owner, name string, number int, files []PullFile) {
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.mustPull(owner, name, number)
	for _, pf := range files {
		if pf.Filename == "" {
			fail("pull request file without a name")
		}
	}
	is.pr.files = slices.Clone(files)
}

// resolve finds the commit a ref names: a branch, a tag, a full SHA, or
// heads/NAME, tags/NAME and their refs/ forms. "" is the default branch.
func (g *gitData) resolve(ref string) *gitCommit {
	if ref == "" {
		ref = g.defaultBranch
	}
	ref = strings.TrimPrefix(ref, "refs/")
	switch {
	case strings.HasPrefix(ref, "heads/"):
		return g.commits[g.branches[strings.TrimPrefix(ref, "heads/")]]
	case strings.HasPrefix(ref, "tags/"):
		return g.commits[g.tags[strings.TrimPrefix(ref, "tags/")]]
	}
	if sha, ok := g.branches[ref]; ok {
		return g.commits[sha]
	}
	if sha, ok := g.tags[ref]; ok {
		return g.commits[sha]
	}
	return g.commits[lower(ref)]
}

// base64Lines encodes content as the contents API does: base64 in lines of
// 60 characters, each ending in a newline.
func base64Lines(content string) string {
	enc := base64.StdEncoding.EncodeToString([]byte(content))
	var b strings.Builder
	for len(enc) > 60 {
		b.WriteString(enc[:60] + "\n")
		enc = enc[60:]
	}
	b.WriteString(enc + "\n")
	return b.String()
}

// diff compares a commit's tree with its first parent's, as the files of
// GET /repos/{owner}/{repo}/commits/{ref} list it.
func (g *gitData) diff(gc *gitCommit) []PullFile {
	before := map[string]string{}
	if len(gc.parents) > 0 {
		before = g.commits[gc.parents[0]].tree
	}
	return treeDiff(before, gc.tree)
}

// treeDiff lists the files that differ from before to after.
func treeDiff(before, after map[string]string) []PullFile {
	var out []PullFile
	for _, p := range slices.Sorted(maps.Keys(after)) {
		old, ok := before[p]
		switch {
		case !ok:
			out = append(out, PullFile{Filename: p, Status: "added", Additions: lines(after[p])})
		case old != after[p]:
			out = append(out, PullFile{Filename: p, Status: "modified", Additions: lines(after[p]), Deletions: lines(old)})
		}
	}
	for _, p := range slices.Sorted(maps.Keys(before)) {
		if _, ok := after[p]; !ok {
			out = append(out, PullFile{Filename: p, Status: "removed", Deletions: lines(before[p])})
		}
	}
	return out
}

func lines(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(strings.TrimSuffix(s, "\n"), "\n") + 1
}
