package githubfake

import (
	"cmp"
	"encoding/base64"
	"maps"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Handlers for contents, commits, branches and refs, and pull request files.

// resolveRef finds the commit of the ref query or path parameter; a 404 or
// 422 was written when it returns nil.
func (c *call) resolveRef(r *repo, ref string, unknownStatus int, unknownMsg string) *gitCommit {
	if len(r.git.commits) == 0 {
		writeError(c.w, http.StatusNotFound, "This repository is empty.")
		return nil
	}
	gc := r.git.resolve(ref)
	if gc == nil {
		writeError(c.w, unknownStatus, unknownMsg)
	}
	return gc
}

func (f *Fake) getCommit(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	ref := c.params["ref"]
	gc := c.resolveRef(r, ref, http.StatusUnprocessableEntity, "No commit found for SHA: "+ref)
	if gc == nil {
		return
	}
	c.json(http.StatusOK, c.gitCommitObj(r, gc))
}

func (c *call) gitCommitObj(r *repo, gc *gitCommit) obj {
	o := c.commitObj(r, gc.sha, gc.author, gc.committer, gc.date, gc.message, gc.parents)
	files := []obj{}
	additions, deletions := 0, 0
	for _, pf := range r.git.diff(gc) {
		files = append(files, c.diffEntryObj(r, gc.sha, pf, gc.tree[pf.Filename]))
		additions += pf.Additions
		deletions += pf.Deletions
	}
	o["files"] = files
	o["stats"] = obj{"additions": additions, "deletions": deletions, "total": additions + deletions}
	return o
}

// diffEntryObj is a diff-entry; content is the file at ref ("" if removed
// or unknown).
func (c *call) diffEntryObj(r *repo, ref string, pf PullFile, content string) obj {
	status := cmp.Or(pf.Status, "modified")
	var sha any
	if status != "removed" {
		sha = blobSHA(content)
	}
	fp := escPath(pf.Filename)
	o := obj{
		"sha":          sha,
		"filename":     pf.Filename,
		"status":       status,
		"additions":    pf.Additions,
		"deletions":    pf.Deletions,
		"changes":      pf.Additions + pf.Deletions,
		"blob_url":     webURL + esc(r.owner.login) + "/" + esc(r.name) + "/blob/" + ref + "/" + fp,
		"raw_url":      webURL + esc(r.owner.login) + "/" + esc(r.name) + "/raw/" + ref + "/" + fp,
		"contents_url": c.repoURL(r) + "/contents/" + fp + "?ref=" + url.QueryEscape(ref),
	}
	if pf.Patch != "" {
		o["patch"] = pf.Patch
	}
	if pf.PreviousFilename != "" {
		o["previous_filename"] = pf.PreviousFilename
	}
	return o
}

func escPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = esc(s)
	}
	return strings.Join(parts, "/")
}

// getContents reads a file (base64, in 60-character lines) or lists a
// directory at ref: a commit SHA, a branch or a tag, by default the
// repository's default branch.
func (f *Fake) getContents(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	ref := c.r.URL.Query().Get("ref")
	gc := c.resolveRef(r, ref, http.StatusNotFound, "No commit found for the ref "+ref)
	if gc == nil {
		return
	}
	p := strings.Trim(c.params["path"], "/")
	if content, ok := gc.tree[p]; ok {
		o := c.contentEntry(r, gc, ref, p, "file", content)
		o["content"] = base64Lines(content)
		o["encoding"] = "base64"
		c.json(http.StatusOK, o)
		return
	}
	entries := map[string]string{} // name -> type
	for fp := range gc.tree {
		rest, ok := strings.CutPrefix(fp, p+"/")
		if !ok {
			continue
		}
		name, _, isDir := strings.Cut(rest, "/")
		if isDir {
			entries[name] = "dir"
		} else if entries[name] == "" {
			entries[name] = "file"
		}
	}
	if len(entries) == 0 {
		writeNotFound(c.w)
		return
	}
	var out []obj
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		fp := p + "/" + name
		out = append(out, c.contentEntry(r, gc, ref, fp, entries[name], gc.tree[fp]))
	}
	c.json(http.StatusOK, out)
}

func (c *call) contentEntry(r *repo, gc *gitCommit, ref, fp, typ, content string) obj {
	self := c.repoURL(r) + "/contents/" + escPath(fp)
	if ref != "" {
		self += "?ref=" + url.QueryEscape(ref)
	}
	sha := blobSHA(content)
	gitURL := c.repoURL(r) + "/git/blobs/" + sha
	html := webURL + esc(r.owner.login) + "/" + esc(r.name) + "/blob/" + gc.sha + "/" + escPath(fp)
	var download any = "https://raw.githubusercontent.com/" + esc(r.owner.login) + "/" + esc(r.name) + "/" + gc.sha + "/" + escPath(fp)
	size := len(content)
	if typ == "dir" {
		sha = hashHex("dir", gc.sha, fp)
		gitURL = c.repoURL(r) + "/git/trees/" + sha
		html = webURL + esc(r.owner.login) + "/" + esc(r.name) + "/tree/" + gc.sha + "/" + escPath(fp)
		download, size = nil, 0
	}
	return obj{
		"type":         typ,
		"name":         path.Base(fp),
		"path":         fp,
		"sha":          sha,
		"size":         size,
		"url":          self,
		"git_url":      gitURL,
		"html_url":     html,
		"download_url": download,
		"_links":       obj{"self": self, "git": gitURL, "html": html},
	}
}

func (f *Fake) getBranch(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	name := c.params["branch"]
	sha, ok := r.git.branches[name]
	if !ok {
		writeError(c.w, http.StatusNotFound, "Branch not found")
		return
	}
	u := c.repoURL(r) + "/branches/" + escPath(name)
	c.json(http.StatusOK, obj{
		"name":           name,
		"commit":         c.gitCommitObj(r, r.git.commits[sha]),
		"_links":         obj{"self": u, "html": webURL + esc(r.owner.login) + "/" + esc(r.name) + "/tree/" + escPath(name)},
		"protected":      r.protected(name),
		"protection":     obj{"enabled": r.protected(name), "required_status_checks": obj{"enforcement_level": "off", "contexts": []string{}, "checks": []obj{}}},
		"protection_url": u + "/protection",
	})
}

// getGitRef reads heads/NAME or tags/NAME.
func (f *Fake) getGitRef(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	ref := c.params["ref"]
	kind, name, _ := strings.Cut(ref, "/")
	var sha string
	var ok bool
	switch kind {
	case "heads":
		sha, ok = r.git.branches[name]
	case "tags":
		sha, ok = r.git.tags[name]
	}
	if !ok {
		writeNotFound(c.w)
		return
	}
	c.json(http.StatusOK, obj{
		"ref":     "refs/" + ref,
		"node_id": "REF_" + hashHex(r.fullName(), ref)[:16],
		"url":     c.repoURL(r) + "/git/refs/" + escPath(ref),
		"object":  obj{"type": "commit", "sha": sha, "url": c.repoURL(r) + "/git/commits/" + sha},
	})
}

// listPullFiles lists the files a pull request changes, at most 3000.
func (f *Fake) listPullFiles(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	is := c.lookupPull(r)
	if is == nil {
		return
	}
	files := is.pr.files[:min(len(is.pr.files), maxPullFiles)]
	head := r.git.commits[is.pr.headSHA]
	writePage(c, files, func(pf PullFile) any {
		content := ""
		if head != nil {
			content = head.tree[pf.Filename]
		}
		return c.diffEntryObj(r, is.pr.headSHA, pf, content)
	})
}

// pushableRepo is the repository if the caller may push to it; a user who
// may not gets a 404, as GitHub hides what one cannot write.
func (c *call) pushableRepo() *repo {
	r := c.lookupRepo()
	if r != nil && !c.userAtLeast(r, "push") {
		writeNotFound(c.w)
		return nil
	}
	return r
}

// createRef creates refs/heads/NAME or refs/tags/NAME at an existing commit
// (POST /repos/{owner}/{repo}/git/refs). A user needs push access.
func (f *Fake) createRef(c *call) {
	r := c.pushableRepo()
	if r == nil {
		return
	}
	var req struct {
		Ref *string `json:"ref"`
		SHA *string `json:"sha"`
	}
	if !c.decode(&req) {
		return
	}
	ref, sha := deref(req.Ref), deref(req.SHA)
	kind, name, _ := strings.Cut(strings.TrimPrefix(ref, "refs/"), "/")
	switch {
	case ref == "" || sha == "":
		writeError(c.w, http.StatusUnprocessableEntity, "Invalid request.\n\n\"ref\", \"sha\" weren't supplied.")
		return
	case !strings.HasPrefix(ref, "refs/") || name == "" || (kind != "heads" && kind != "tags"):
		writeError(c.w, http.StatusUnprocessableEntity, "Reference name must start with 'refs/' and have at least two slashes.")
		return
	case r.git.commits[sha] == nil:
		writeError(c.w, http.StatusUnprocessableEntity, "Object does not exist")
		return
	}
	refs := r.git.branches
	if kind == "tags" {
		refs = r.git.tags
	}
	if _, ok := refs[name]; ok {
		writeError(c.w, http.StatusUnprocessableEntity, "Reference already exists")
		return
	}
	refs[name] = sha
	short := strings.TrimPrefix(ref, "refs/")
	c.json(http.StatusCreated, obj{
		"ref":     ref,
		"node_id": "REF_" + hashHex(r.fullName(), short)[:16],
		"url":     c.repoURL(r) + "/git/refs/" + escPath(short),
		"object":  obj{"type": "commit", "sha": sha, "url": c.repoURL(r) + "/git/commits/" + sha},
	})
}

// putContents creates or replaces one file with a commit on a branch
// (PUT /repos/{owner}/{repo}/contents/{path}). Replacing needs the sha of
// the file it replaces, as on GitHub. The commit is the caller's: a user,
// or an installation's bot.
func (f *Fake) putContents(c *call) {
	r := c.pushableRepo()
	if r == nil {
		return
	}
	var req struct {
		Message *string `json:"message"`
		Content *string `json:"content"`
		SHA     *string `json:"sha"`
		Branch  *string `json:"branch"`
	}
	if !c.decode(&req) {
		return
	}
	if req.Message == nil || req.Content == nil {
		writeError(c.w, http.StatusUnprocessableEntity, "Invalid request.\n\n\"message\", \"content\" weren't supplied.")
		return
	}
	content, err := base64.StdEncoding.DecodeString(*req.Content)
	if err != nil {
		writeError(c.w, http.StatusUnprocessableEntity, "content is not valid Base64")
		return
	}
	branch := cmp.Or(deref(req.Branch), r.git.defaultBranch)
	head, ok := r.git.branches[branch]
	if !ok {
		writeError(c.w, http.StatusNotFound, "Branch "+branch+" not found")
		return
	}
	p := strings.Trim(c.params["path"], "/")
	parent := r.git.commits[head]
	old, exists := parent.tree[p]
	switch {
	case exists && req.SHA == nil:
		writeError(c.w, http.StatusUnprocessableEntity, "Invalid request.\n\n\"sha\" wasn't supplied.")
		return
	case exists && *req.SHA != blobSHA(old), !exists && req.SHA != nil:
		writeError(c.w, http.StatusConflict, p+" does not match "+deref(req.SHA))
		return
	}
	tree := maps.Clone(parent.tree)
	tree[p] = string(content)
	gc := &gitCommit{parents: []string{head}, author: c.viewer, committer: c.viewer, message: *req.Message, date: c.f.now(), tree: tree}
	gc.sha = hashHex(gc.message, head, p, string(content), strconv.FormatInt(c.f.newID(), 10))
	r.git.commits[gc.sha] = gc
	r.git.branches[branch] = gc.sha
	entry := c.contentEntry(r, gc, branch, p, "file", string(content))
	status := http.StatusCreated
	if exists {
		status = http.StatusOK
	}
	// A file-commit: the git commit's own fields, with its sha and parents.
	full := c.commitObj(r, gc.sha, gc.author, gc.committer, gc.date, gc.message, gc.parents)
	fc := maps.Clone(full["commit"].(obj))
	delete(fc, "comment_count")
	fc["sha"], fc["node_id"], fc["html_url"], fc["parents"] = gc.sha, full["node_id"], full["html_url"], full["parents"]
	c.json(status, obj{"content": entry, "commit": fc})
}
