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
	Tokens map[string]string `json:"tokens,omitempty"` // token -> login
	Orgs   []SeedOrg         `json:"orgs,omitempty"`
	Repos  []SeedRepo        `json:"repos,omitempty"`
}

// SeedOrg is an org with its members (login -> "member" or "admin") and
// teams.
type SeedOrg struct {
	Name           string            `json:"name"`
	BasePermission string            `json:"base_permission,omitempty"`
	Members        map[string]string `json:"members,omitempty"`
	Teams          []SeedTeam        `json:"teams,omitempty"`
}

// SeedTeam is a team with active members and pending invitees (login ->
// "member" or "maintainer") and repository access ("owner/repo" ->
// permission).
type SeedTeam struct {
	Slug    string            `json:"slug"`
	Members map[string]string `json:"members,omitempty"`
	Pending map[string]string `json:"pending,omitempty"`
	Repos   map[string]string `json:"repos,omitempty"`
}

// SeedRepo is a repository with direct collaborators and pending
// invitations (login -> permission), pull requests and issues.
type SeedRepo struct {
	Owner         string            `json:"owner"`
	Name          string            `json:"name"`
	Collaborators map[string]string `json:"collaborators,omitempty"`
	Invitations   map[string]string `json:"invitations,omitempty"`
	Pulls         []SeedPull        `json:"pulls,omitempty"`
	Issues        []SeedIssue       `json:"issues,omitempty"`
}

// SeedPull is a pull request with its commits, reviews and comments, applied
// in order. A non-empty HeadSHA is set after the commits.
type SeedPull struct {
	PullRequest
	Commits  []SeedCommit  `json:"commits,omitempty"`
	Reviews  []SeedReview  `json:"reviews,omitempty"`
	Comments []SeedComment `json:"comments,omitempty"`
}

// SeedCommit is a pull request commit; empty logins are unlinked authors.
type SeedCommit struct {
	SHA       string `json:"sha"`
	Author    string `json:"author,omitempty"`
	Committer string `json:"committer,omitempty"`
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
		for _, login := range slices.Sorted(maps.Keys(o.Members)) {
			f.SetOrgMember(o.Name, login, o.Members[login])
		}
	}
	for _, r := range s.Repos {
		f.loadRepo(r)
	}
	// Teams come last: their repository access refers to repositories.
	for _, o := range s.Orgs {
		for _, t := range o.Teams {
			f.AddTeam(o.Name, t.Slug)
			for _, login := range slices.Sorted(maps.Keys(t.Members)) {
				f.SetTeamMembership(o.Name, t.Slug, login, t.Members[login], "active")
			}
			for _, login := range slices.Sorted(maps.Keys(t.Pending)) {
				f.SetTeamMembership(o.Name, t.Slug, login, t.Pending[login], "pending")
			}
			for _, full := range slices.Sorted(maps.Keys(t.Repos)) {
				owner, name, ok := strings.Cut(full, "/")
				if !ok {
					fail("team repository %q is not owner/repo", full)
				}
				f.SetTeamRepoPermission(o.Name, t.Slug, owner, name, t.Repos[full])
			}
		}
	}
}

func (f *Fake) loadRepo(r SeedRepo) {
	f.AddRepo(r.Owner, r.Name)
	for _, login := range slices.Sorted(maps.Keys(r.Collaborators)) {
		f.SetCollaborator(r.Owner, r.Name, login, r.Collaborators[login])
	}
	for _, login := range slices.Sorted(maps.Keys(r.Invitations)) {
		f.InviteCollaborator(r.Owner, r.Name, login, r.Invitations[login])
	}
	for _, p := range r.Pulls {
		head := p.HeadSHA
		if len(p.Commits) > 0 {
			// Commits set the head; the declared head is applied after them.
			p.HeadSHA = ""
		}
		n := f.AddPullRequest(r.Owner, r.Name, p.PullRequest)
		for _, c := range p.Commits {
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
	}
	for _, is := range r.Issues {
		n := f.AddIssue(r.Owner, r.Name, is.Issue)
		for _, c := range is.Comments {
			f.AddComment(r.Owner, r.Name, n, c.Author, c.Body)
		}
	}
}

// Snapshot returns the current state as a Seed. Loading it into a new fake
// reproduces the state, except for IDs, timestamps and comment edit history.
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
	if len(f.tokens) > 0 {
		s.Tokens = map[string]string{}
		for tok, a := range f.tokens {
			s.Tokens[tok] = a.login
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
	so := SeedOrg{Name: o.acct.login, BasePermission: roleName(o.basePerm)}
	if o.basePerm == "" {
		so.BasePermission = ""
	}
	so.Members = loginMap(o.members, func(k string) string { return f.accounts[k].login }, func(r string) string { return r })
	for _, k := range slices.Sorted(maps.Keys(o.teams)) {
		t := o.teams[k]
		st := SeedTeam{Slug: t.slug}
		active, pending := map[string]string{}, map[string]string{}
		for _, m := range t.members {
			if m.state == "active" {
				active[m.acct.login] = m.role
			} else {
				pending[m.acct.login] = m.role
			}
		}
		st.Members, st.Pending = nilIfNone(active), nilIfNone(pending)
		repos := map[string]string{}
		for rk, p := range t.repos {
			r := f.repos[rk]
			repos[r.owner.login+"/"+r.name] = p
		}
		st.Repos = nilIfNone(repos)
		so.Teams = append(so.Teams, st)
	}
	return so
}

func (f *Fake) snapshotRepo(r *repo) SeedRepo {
	sr := SeedRepo{Owner: r.owner.login, Name: r.name}
	sr.Collaborators = loginMap(r.collaborators, func(k string) string { return r.collaborators[k].acct.login }, func(c *collaborator) string { return c.perm })
	invs := map[string]string{}
	for _, inv := range r.invitations {
		invs[inv.invitee.login] = inv.perm
	}
	sr.Invitations = nilIfNone(invs)
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
			HeadSHA: p.headSHA, HeadRef: p.headRef, BaseRef: p.baseRef,
			State: is.state, Merged: p.merged, MergeCommitSHA: p.mergeSHA,
		}, Comments: comments}
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

// loginMap turns a map keyed by lower-case login into one keyed by the
// login's spelling, nil when empty so it is omitted from JSON.
func loginMap[V any](m map[string]V, login func(string) string, val func(V) string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[login(k)] = val(v)
	}
	return nilIfNone(out)
}

func nilIfNone(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}
