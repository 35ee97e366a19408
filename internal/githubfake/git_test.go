package githubfake

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-github/v60/github"
)

func TestContentsAtRefs(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	_, _, _, err := c.Repositories.GetContents(ctx, "acme", "api", ".github/jit-gate.yml", nil)
	if er := wantStatus(t, err, http.StatusNotFound); er.Message != "This repository is empty." {
		t.Errorf("empty repository: %q", er.Message)
	}
	base := f.PushCommit("acme", "api", RepoCommit{Author: "admin", Message: "settings", Branch: "main",
		Files: map[string]string{".github/jit-gate.yml": "governance_approvers: [admin]\n", "main.tf": "# v1\n"}})
	head := f.PushCommit("acme", "api", RepoCommit{Parents: []string{base}, Author: "alice", Branch: "loosen",
		Files: map[string]string{".github/jit-gate.yml": "governance_approvers: [alice]\n"}, Deleted: []string{"main.tf"}})
	merge := f.PushCommit("acme", "api", RepoCommit{Parents: []string{base, head}, Message: "Merge pull request #1", Branch: "main",
		Files: map[string]string{".github/jit-gate.yml": "governance_approvers: [alice]\n"}, Deleted: []string{"main.tf"}})
	f.SetTag("acme", "api", "v1", base)

	read := func(ref string) (string, error) {
		fc, _, _, err := c.Repositories.GetContents(ctx, "acme", "api", ".github/jit-gate.yml", &github.RepositoryContentGetOptions{Ref: ref})
		if err != nil {
			return "", err
		}
		if fc.GetEncoding() != "base64" || fc.GetType() != "file" {
			t.Errorf("file at %s = %+v", ref, fc)
		}
		return fc.GetContent()
	}
	for ref, want := range map[string]string{
		base: "governance_approvers: [admin]\n", "v1": "governance_approvers: [admin]\n",
		"loosen": "governance_approvers: [alice]\n", "": "governance_approvers: [alice]\n", "main": "governance_approvers: [alice]\n",
	} {
		if got, err := read(ref); err != nil || got != want {
			t.Errorf("at %q: %q, %v; want %q", ref, got, err, want)
		}
	}
	_, err = read("nope")
	wantStatus(t, err, http.StatusNotFound)
	_, _, _, err = c.Repositories.GetContents(ctx, "acme", "api", "main.tf", &github.RepositoryContentGetOptions{Ref: merge})
	wantStatus(t, err, http.StatusNotFound)
	_, dir, _, err := c.Repositories.GetContents(ctx, "acme", "api", ".github", &github.RepositoryContentGetOptions{Ref: base})
	if err != nil || len(dir) != 1 || dir[0].GetName() != "jit-gate.yml" || dir[0].GetType() != "file" {
		t.Fatalf("directory = %v, %v", dir, err)
	}

	// The merge commit's first parent is the base branch before the merge.
	cm, _, err := c.Repositories.GetCommit(ctx, "acme", "api", merge, nil)
	if err != nil || len(cm.Parents) != 2 || cm.Parents[0].GetSHA() != base || cm.Parents[1].GetSHA() != head {
		t.Fatalf("merge commit = %v, %v", cm, err)
	}
	if len(cm.Files) != 2 || cm.GetStats().GetTotal() == 0 {
		t.Errorf("files changed from the first parent = %v", cm.Files)
	}
	if cm, _, err := c.Repositories.GetCommit(ctx, "acme", "api", "main", nil); err != nil || cm.GetSHA() != merge {
		t.Errorf("commit of branch main = %v, %v", cm.GetSHA(), err)
	}
	_, _, err = c.Repositories.GetCommit(ctx, "acme", "api", "0000000000000000000000000000000000000000", nil)
	wantStatus(t, err, http.StatusUnprocessableEntity)

	b, _, err := c.Repositories.GetBranch(ctx, "acme", "api", "main", 0)
	if err != nil || b.GetCommit().GetSHA() != merge || b.GetProtected() {
		t.Fatalf("branch = %v, %v", b, err)
	}
	ref, _, err := c.Git.GetRef(ctx, "acme", "api", "tags/v1")
	if err != nil || ref.GetObject().GetSHA() != base || ref.GetRef() != "refs/tags/v1" {
		t.Fatalf("ref = %v, %v", ref, err)
	}
	_, _, err = c.Git.GetRef(ctx, "acme", "api", "heads/nope")
	wantStatus(t, err, http.StatusNotFound)

	// An Actions token needs contents read.
	f.AddActionsToken("tok-no-contents", "acme", "api", map[string]string{"issues": "write"})
	_, _, resp, err := client(t, f, "tok-no-contents").Repositories.GetContents(ctx, "acme", "api", ".github/jit-gate.yml", nil)
	wantStatus(t, err, http.StatusForbidden)
	if got := resp.Header.Get("X-Accepted-GitHub-Permissions"); got != "contents=read" {
		t.Errorf("X-Accepted-GitHub-Permissions = %q", got)
	}
}

func TestPullFilesStopAt3000(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	n := f.AddPullRequest("acme", "api", PullRequest{Author: "alice"})
	var files []PullFile
	for i := range 3100 {
		files = append(files, PullFile{Filename: fmt.Sprintf("mod/%04d.tf", i), Additions: 1})
	}
	files[0].Status, files[1].Status, files[1].PreviousFilename = "added", "renamed", "old.tf"
	f.SetPullFiles("acme", "api", n, files)

	var all []*github.CommitFile
	opts := &github.ListOptions{PerPage: 100}
	pages := 0
	for {
		page, resp, err := c.PullRequests.ListFiles(ctx, "acme", "api", n, opts)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		all = append(all, page...)
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if len(all) != 3000 || pages != 30 {
		t.Fatalf("listed %d files in %d pages, want GitHub's 3000 in 30", len(all), pages)
	}
	if all[0].GetStatus() != "added" || all[1].GetPreviousFilename() != "old.tf" || all[2].GetStatus() != "modified" || all[2].GetChanges() != 1 {
		t.Errorf("files = %v %v %v", all[0], all[1], all[2])
	}
	pr, _, err := c.PullRequests.Get(ctx, "acme", "api", n)
	if err != nil || pr.GetChangedFiles() != 3100 {
		t.Errorf("changed_files = %d, %v: the PR still counts them all", pr.GetChangedFiles(), err)
	}
}

func TestPullRequestBaseSHA(t *testing.T) {
	f := newFake(t)
	base := f.PushCommit("acme", "api", RepoCommit{Branch: "main", Files: map[string]string{"a": "1"}})
	n := f.AddPullRequest("acme", "api", PullRequest{Author: "alice"})
	pr, _, err := client(t, f, adminToken).PullRequests.Get(ctx, "acme", "api", n)
	if err != nil || pr.GetBase().GetSHA() != base {
		t.Fatalf("base sha = %q, %v; want the base branch's head %s", pr.GetBase().GetSHA(), err, base)
	}
}
