package githubfake

import (
	"maps"
	"slices"
	"strings"
)

// Seed is a whole fake GitHub state as JSON: Load applies one and Snapshot
// produces one, so a demo can seed everything in one request and dump it
// back. Maps are keyed by login (or "owner/repo" for team repositories).
type Seed struct {
	Users  []string          `json:"users,omitempty"`
	Bots   []string          `json:"bots,omitempty"`
	Tokens map[string]string `json:"tokens,omitempty"` // token -> login of a user who acts as themselves
	Orgs   []SeedOrg         `json:"orgs,omitempty"`
	Repos  []SeedRepo        `json:"repos,omitempty"`
	// Installations and ActionsTokens come after repositories, which they
	// may name.
	Installations []SeedInstallation `json:"installations,omitempty"`
	ActionsTokens []SeedActionsToken `json:"actions_tokens,omitempty"`
}

// SeedInstallation is a GitHub App installation token.
type SeedInstallation struct {
	Token string `json:"token"`
	Installation
}

// SeedActionsToken is a workflow run's GITHUB_TOKEN in Repo ("owner/name")
// with the workflow's permissions.
type SeedActionsToken struct {
	Token       string            `json:"token"`
	Repo        string            `json:"repo"`
	Permissions map[string]string `json:"permissions,omitempty"`
}

// SeedOrg is an org with its members (login -> "member" or "admin") and
// teams.
type SeedOrg struct {
	Name             string            `json:"name"`
	BasePermission   string            `json:"base_permission,omitempty"`
	Members          map[string]string `json:"members,omitempty"`
	Teams            []SeedTeam        `json:"teams,omitempty"`
	ListsMemberRoles bool              `json:"lists_member_roles,omitempty"` // see SetTeamMemberRolesListed
}

// SeedTeam is a team with active members and pending invitees (login ->
// "member" or "maintainer"), repository access ("owner/repo" ->
// permission) and, optionally, the slug of its parent team.
type SeedTeam struct {
	Slug    string            `json:"slug"`
	Parent  string            `json:"parent,omitempty"`
	Members map[string]string `json:"members,omitempty"`
	Pending map[string]string `json:"pending,omitempty"`
	Repos   map[string]string `json:"repos,omitempty"`
}

// SeedRepo is a repository with direct collaborators and pending
// invitations (login -> permission), its git history (commits in order,
// then branches and tags by name), pull requests and issues, and what
// protects its branches.
type SeedRepo struct {
	Owner         string            `json:"owner"`
	Name          string            `json:"name"`
	DefaultBranch string            `json:"default_branch,omitempty"`
	Collaborators map[string]string `json:"collaborators,omitempty"`
	Invitations   map[string]string `json:"invitations,omitempty"`
	Commits       []RepoCommit      `json:"commits,omitempty"`
	Branches      map[string]string `json:"branches,omitempty"` // name -> SHA
	Tags          map[string]string `json:"tags,omitempty"`
	Pulls         []SeedPull        `json:"pulls,omitempty"`
	Issues        []SeedIssue       `json:"issues,omitempty"`
	// Rulesets, Protection (by branch) and Environments are applied after
	// the git history, which protected branches must be part of.
	Rulesets     []Ruleset                    `json:"rulesets,omitempty"`
	Protection   map[string]*BranchProtection `json:"protection,omitempty"`
	Environments []Environment                `json:"environments,omitempty"`
}

// SeedPull is a pull request with its commits, reviews, comments and
// changed files, applied in order. A non-empty HeadSHA is set after the
// commits.
type SeedPull struct {
	PullRequest
	Commits  []SeedCommit  `json:"commits,omitempty"`
	Reviews  []SeedReview  `json:"reviews,omitempty"`
	Comments []SeedComment `json:"comments,omitempty"`
	Files    []PullFile    `json:"files,omitempty"`
}

// SeedCommit is a pull request commit; empty logins are unlinked authors.
// Each is pushed on its own, by Pusher if set (see AddCommit otherwise).
type SeedCommit struct {
	SHA       string `json:"sha"`
	Author    string `json:"author,omitempty"`
	Committer string `json:"committer,omitempty"`
	Pusher    string `json:"pusher,omitempty"`
}

// SeedReview is a submitted review; CommitID "" means the head at that point.
type SeedReview struct {
	Login    string `json:"login"`
	State    string `json:"state"`
	CommitID string `json:"commit_id,omitempty"`
	Body     string `json:"body,omitempty"`
}

// SeedComment is an issue or pull request comment.
type SeedComment struct {
	Author string `json:"author"`
	Body   string `json:"body"`
}

// SeedIssue is an issue with its comments.
type SeedIssue struct {
	Issue
	Comments []SeedComment `json:"comments,omitempty"`
}

// Load adds the entities in s to the fake. It panics, like the other seeding
// methods, on inconsistent input, possibly after applying part of s.
func (f *Fake) Load(s Seed) {
	for _, u := range s.Users {
		f.AddUser(u)
	}
	for _, b := range s.Bots {
		f.AddBot(b)
	}
	for _, tok := range slices.Sorted(maps.Keys(s.Tokens)) {
		f.AddToken(tok, s.Tokens[tok])
	}
	for _, o := range s.Orgs {
		f.AddOrg(o.Name)
		f.SetOrgBasePermission(o.Name, o.BasePermission)
		f.SetTeamMemberRolesListed(o.Name, o.ListsMemberRoles)
		for _, login := range slices.Sorted(maps.Keys(o.Members)) {
			f.SetOrgMember(o.Name, login, o.Members[login])
		}
	}
	for _, r := range s.Repos {
		f.loadRepo(r)
	}
	// Pull requests come after every repository: their head may be a fork.
	for _, r := range s.Repos {
		f.loadPulls(r)
	}
	// Teams come after repositories: their access refers to them.
	for _, o := range s.Orgs {
		for _, t := range o.Teams {
			f.AddTeam(o.Name, t.Slug)
		}
		for _, t := range o.Teams {
			if t.Parent != "" {
				f.SetTeamParent(o.Name, t.Slug, t.Parent)
			}
			for _, login := range slices.Sorted(maps.Keys(t.Members)) {
				f.SetTeamMembership(o.Name, t.Slug, login, t.Members[login], "active")
			}
			for _, login := range slices.Sorted(maps.Keys(t.Pending)) {
				f.SetTeamMembership(o.Name, t.Slug, login, t.Pending[login], "pending")
			}
			for _, full := range slices.Sorted(maps.Keys(t.Repos)) {
				owner, name := splitRepo(full)
				f.SetTeamRepoPermission(o.Name, t.Slug, owner, name, t.Repos[full])
			}
		}
	}
	for _, in := range s.Installations {
		f.AddInstallationToken(in.Token, in.Installation)
	}
	for _, at := range s.ActionsTokens {
		owner, name := splitRepo(at.Repo)
		f.AddActionsToken(at.Token, owner, name, at.Permissions)
	}
}

func splitRepo(full string) (owner, name string) {
	owner, name, ok := strings.Cut(full, "/")
	if !ok {
		fail("repository %q is not owner/repo", full)
	}
	return owner, name
}

func (f *Fake) loadRepo(r SeedRepo) {
	f.AddRepo(r.Owner, r.Name)
	if r.DefaultBranch != "" {
		f.SetDefaultBranch(r.Owner, r.Name, r.DefaultBranch)
	}
	for _, login := range slices.Sorted(maps.Keys(r.Collaborators)) {
		f.SetCollaborator(r.Owner, r.Name, login, r.Collaborators[login])
	}
	for _, login := range slices.Sorted(maps.Keys(r.Invitations)) {
		f.InviteCollaborator(r.Owner, r.Name, login, r.Invitations[login])
	}
	for _, c := range r.Commits {
		f.PushCommit(r.Owner, r.Name, c)
	}
	for _, b := range slices.Sorted(maps.Keys(r.Branches)) {
		f.SetBranch(r.Owner, r.Name, b, r.Branches[b])
	}
	for _, t := range slices.Sorted(maps.Keys(r.Tags)) {
		f.SetTag(r.Owner, r.Name, t, r.Tags[t])
	}
	f.loadSettings(r)
}

// loadPulls adds the pull requests, then the issues, of a repository.
func (f *Fake) loadPulls(r SeedRepo) {
	for _, p := range r.Pulls {
		head := p.HeadSHA
		if len(p.Commits) > 0 {
			// Commits set the head; the declared head is applied after them.
			p.HeadSHA = ""
		}
		n := f.AddPullRequest(r.Owner, r.Name, p.PullRequest)
		for _, c := range p.Commits {
			if c.Pusher != "" {
				f.PushToPull(r.Owner, r.Name, n, PullPush{Pusher: c.Pusher, Commits: []SeedCommit{c}})
				continue
			}
			f.AddCommit(r.Owner, r.Name, n, c.SHA, c.Author, c.Committer)
		}
		if head != "" {
			f.SetHead(r.Owner, r.Name, n, head)
		}
		for _, rv := range p.Reviews {
			f.AddReviewWithBody(r.Owner, r.Name, n, rv.Login, rv.State, rv.CommitID, rv.Body)
		}
		for _, c := range p.Comments {
			f.AddComment(r.Owner, r.Name, n, c.Author, c.Body)
		}
		if len(p.Files) > 0 {
			f.SetPullFiles(r.Owner, r.Name, n, p.Files)
		}
	}
	for _, is := range r.Issues {
		n := f.AddIssue(r.Owner, r.Name, is.Issue)
		for _, c := range is.Comments {
			f.AddComment(r.Owner, r.Name, n, c.Author, c.Body)
		}
	}
}

// Snapshot returns the current state as a Seed. Loading it into a new fake
// reproduces the state, except for IDs, timestamps, comment edit history,
// renames (accounts appear under their current logins), the expiry of
// invitations (they are sent anew) and the activity (commits are pushed
// anew by their committers).
func (f *Fake) Snapshot() Seed {
	f.mu.Lock()
	defer f.mu.Unlock()
	var s Seed
	for _, k := range slices.Sorted(maps.Keys(f.accounts)) {
		switch a := f.accounts[k]; a.kind {
		case "User":
			s.Users = append(s.Users, a.login)
		case "Bot":
			s.Bots = append(s.Bots, a.login)
		}
	}
	for _, tok := range slices.Sorted(maps.Keys(f.tokens)) {
		id := f.tokens[tok]
		switch in := id.inst; {
		case in == nil:
			if s.Tokens == nil {
				s.Tokens = map[string]string{}
			}
			s.Tokens[tok] = id.acct.login
		case in.actions:
			perms := map[string]string{}
			for key, name := range workflowPermissions {
				if level := in.perms[name]; level != "" {
					perms[key] = level
				}
			}
			s.ActionsTokens = append(s.ActionsTokens, SeedActionsToken{Token: tok, Repo: in.account.login + "/" + in.repos[0], Permissions: nilIfNone(perms)})
		default:
			var repos []string
			for _, name := range in.repos {
				repos = append(repos, f.repos[repoKey(in.account.login, name)].name)
			}
			s.Installations = append(s.Installations, SeedInstallation{Token: tok, Installation: Installation{
				App: in.app, Account: in.account.login, Repositories: repos, Permissions: maps.Clone(in.perms),
			}})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(f.orgs)) {
		s.Orgs = append(s.Orgs, f.snapshotOrg(f.orgs[k]))
	}
	for _, k := range slices.Sorted(maps.Keys(f.repos)) {
		s.Repos = append(s.Repos, f.snapshotRepo(f.repos[k]))
	}
	return s
}

func (f *Fake) snapshotOrg(o *org) SeedOrg {
	so := SeedOrg{Name: o.acct.login, ListsMemberRoles: o.listRoles}
	if o.basePerm != "" {
		so.BasePermission = roleName(o.basePerm)
	}
	so.Members = loginMap(o.members, func(r string) string { return r })
	for _, k := range slices.Sorted(maps.Keys(o.teams)) {
		t := o.teams[k]
		st := SeedTeam{Slug: t.slug}
		if t.parent != nil {
			st.Parent = t.parent.slug
		}
		active, pending := map[string]string{}, map[string]string{}
		for a, m := range t.members {
			if m.state == "active" {
				active[a.login] = m.role
			} else {
				pending[a.login] = m.role
			}
		}
		st.Members, st.Pending = nilIfNone(active), nilIfNone(pending)
		repos := map[string]string{}
		for r, p := range t.repos {
			repos[r.fullName()] = p
		}
		st.Repos = nilIfNone(repos)
		so.Teams = append(so.Teams, st)
	}
	return so
}

func (f *Fake) snapshotRepo(r *repo) SeedRepo {
	sr := SeedRepo{Owner: r.owner.login, Name: r.name}
	if r.git.defaultBranch != "main" {
		sr.DefaultBranch = r.git.defaultBranch
	}
	sr.Collaborators = loginMap(r.collaborators, func(c *collaborator) string { return c.perm })
	invs := map[string]string{}
	for _, inv := range r.invitations {
		invs[inv.invitee.login] = inv.perm
	}
	sr.Invitations = nilIfNone(invs)
	sr.Commits = r.git.snapshot()
	sr.Branches, sr.Tags = nilIfNone(maps.Clone(r.git.branches)), nilIfNone(maps.Clone(r.git.tags))
	f.snapshotSettings(r, &sr)
	for _, n := range slices.Sorted(maps.Keys(r.issues)) {
		is := r.issues[n]
		var comments []SeedComment
		for _, c := range is.comments {
			comments = append(comments, SeedComment{Author: c.author.login, Body: c.body})
		}
		if is.pr == nil {
			var labels []string
			for _, l := range is.labels {
				labels = append(labels, l.name)
			}
			sr.Issues = append(sr.Issues, SeedIssue{Issue: Issue{Number: n, Title: is.title, Body: is.body, Author: is.author.login, Labels: labels, State: is.state}, Comments: comments})
			continue
		}
		p := is.pr
		sp := SeedPull{PullRequest: PullRequest{
			Number: n, Author: is.author.login, Title: is.title, Body: is.body,
			HeadSHA: p.headSHA, HeadRef: p.headRef, BaseRef: p.baseRef, BaseSHA: p.baseSHA, HeadRepo: p.headRepoName(),
			State: is.state, Merged: p.merged, MergeCommitSHA: p.mergeSHA,
		}, Comments: comments, Files: slices.Clone(p.files)}
		for _, c := range p.commits {
			sc := SeedCommit{SHA: c.sha}
			if c.author != nil {
				sc.Author = c.author.login
			}
			if c.committer != nil {
				sc.Committer = c.committer.login
			}
			sp.Commits = append(sp.Commits, sc)
		}
		for _, rv := range p.reviews {
			sp.Reviews = append(sp.Reviews, SeedReview{Login: rv.user.login, State: rv.state, CommitID: rv.commitID, Body: rv.body})
		}
		sr.Pulls = append(sr.Pulls, sp)
	}
	return sr
}

// snapshot lists the commits parents first, each with its whole tree as
// changes from its first parent.
func (g *gitData) snapshot() []RepoCommit {
	var out []RepoCommit
	done := map[string]bool{}
	var visit func(gc *gitCommit)
	visit = func(gc *gitCommit) {
		if done[gc.sha] {
			return
		}
		done[gc.sha] = true
		for _, p := range gc.parents {
			visit(g.commits[p])
		}
		rc := RepoCommit{SHA: gc.sha, Parents: gc.parents, Message: gc.message, Files: map[string]string{}}
		if gc.author != nil {
			rc.Author = gc.author.login
		}
		if gc.committer != nil {
			rc.Committer = gc.committer.login
		}
		before := map[string]string{}
		if len(gc.parents) > 0 {
			before = g.commits[gc.parents[0]].tree
		}
		for p, content := range gc.tree {
			if old, ok := before[p]; !ok || old != content {
				rc.Files[p] = content
			}
		}
		for p := range before {
			if _, ok := gc.tree[p]; !ok {
				rc.Deleted = append(rc.Deleted, p)
			}
		}
		slices.Sort(rc.Deleted)
		rc.Files = nilIfNone(rc.Files)
		out = append(out, rc)
	}
	for _, sha := range slices.Sorted(maps.Keys(g.commits)) {
		visit(g.commits[sha])
	}
	return out
}

// loginMap turns a map keyed by account into one keyed by login, nil when
// empty so it is omitted from JSON.
func loginMap[V any](m map[*account]V, val func(V) string) map[string]string {
	out := map[string]string{}
	for a, v := range m {
		out[a.login] = val(v)
	}
	return nilIfNone(out)
}

func nilIfNone(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}
