package githubfake

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"slices"
)

// adminPrefix is reserved for the admin API, which needs no token and is
// neither counted nor subject to faults.
const adminPrefix = "/_fake/"

// adminArgs is the request body of the single-operation admin endpoints;
// each uses the fields named after its Go method's parameters.
type adminArgs struct {
	Token          string            `json:"token"`
	Login          string            `json:"login"`
	Org            string            `json:"org"`
	Slug           string            `json:"slug"`
	Owner          string            `json:"owner"`
	Repo           string            `json:"repo"`
	Role           string            `json:"role"`
	State          string            `json:"state"`
	Permission     string            `json:"permission"`
	Number         int               `json:"number"`
	SHA            string            `json:"sha"`
	Author         string            `json:"author"`
	Committer      string            `json:"committer"`
	CommitID       string            `json:"commit_id"`
	Body           string            `json:"body"`
	ID             int64             `json:"id"`
	MergeCommitSHA string            `json:"merge_commit_sha"`
	NewLogin       string            `json:"new_login"`
	Parent         string            `json:"parent"`
	Branch         string            `json:"branch"`
	Tag            string            `json:"tag"`
	On             bool              `json:"on"`
	Limit          int               `json:"limit"`
	PerMinute      int               `json:"per_minute"`
	PerHour        int               `json:"per_hour"`
	Permissions    map[string]string `json:"permissions"`
	Files          []PullFile        `json:"files"`
}

// repoRef holds the repository fields of the pulls and issues admin
// endpoints, whose other fields are those of PullRequest and Issue.
type repoRef struct {
	Owner string `json:"owner"`
	Repo  string `json:"repo"`
}

// adminOp adapts a function taking a decoded JSON body to an admin handler.
// A nil result is answered with 204.
func adminOp[T any](fn func(*Fake, T) any) func(*Fake, []byte) any {
	return func(f *Fake, body []byte) any {
		var arg T
		if len(body) > 0 {
			if err := json.Unmarshal(body, &arg); err != nil {
				fail("invalid JSON: %v", err)
			}
		}
		return fn(f, arg)
	}
}

type none struct{}

var adminOps = map[string]func(*Fake, []byte) any{
	"POST /_fake/load": adminOp(func(f *Fake, s Seed) any { f.Load(s); return nil }),
	"GET /_fake/state": adminOp(func(f *Fake, _ none) any { return f.Snapshot() }),

	"POST /_fake/users":  adminOp(func(f *Fake, a adminArgs) any { f.AddUser(a.Login); return nil }),
	"POST /_fake/bots":   adminOp(func(f *Fake, a adminArgs) any { f.AddBot(a.Login); return nil }),
	"POST /_fake/tokens": adminOp(func(f *Fake, a adminArgs) any { f.AddToken(a.Token, a.Login); return nil }),
	"POST /_fake/installation-tokens": adminOp(func(f *Fake, in SeedInstallation) any {
		f.AddInstallationToken(in.Token, in.Installation)
		return nil
	}),
	"POST /_fake/actions-tokens": adminOp(func(f *Fake, a adminArgs) any {
		f.AddActionsToken(a.Token, a.Owner, a.Repo, a.Permissions)
		return nil
	}),
	"POST /_fake/users/rename": adminOp(func(f *Fake, a adminArgs) any { f.RenameUser(a.Login, a.NewLogin); return nil }),
	"POST /_fake/rate-limit":   adminOp(func(f *Fake, a adminArgs) any { f.SetRateLimit(a.Limit); return nil }),
	"POST /_fake/secondary-limits": adminOp(func(f *Fake, a adminArgs) any {
		f.SetSecondaryLimits(a.PerMinute, a.PerHour)
		return nil
	}),
	"POST /_fake/orgs": adminOp(func(f *Fake, a adminArgs) any { f.AddOrg(a.Org); return nil }),
	"POST /_fake/org-members": adminOp(func(f *Fake, a adminArgs) any {
		f.SetOrgMember(a.Org, a.Login, a.Role)
		return nil
	}),
	"POST /_fake/org-base-permission": adminOp(func(f *Fake, a adminArgs) any {
		f.SetOrgBasePermission(a.Org, a.Permission)
		return nil
	}),
	"POST /_fake/org-invitations/accept": adminOp(func(f *Fake, a adminArgs) any {
		f.AcceptOrgInvitation(a.Org, a.Login)
		return nil
	}),
	"POST /_fake/teams": adminOp(func(f *Fake, a adminArgs) any { f.AddTeam(a.Org, a.Slug); return nil }),
	"POST /_fake/team-parent": adminOp(func(f *Fake, a adminArgs) any {
		f.SetTeamParent(a.Org, a.Slug, a.Parent)
		return nil
	}),
	"POST /_fake/org-member-roles-listed": adminOp(func(f *Fake, a adminArgs) any {
		f.SetTeamMemberRolesListed(a.Org, a.On)
		return nil
	}),
	"POST /_fake/team-memberships": adminOp(func(f *Fake, a adminArgs) any {
		f.SetTeamMembership(a.Org, a.Slug, a.Login, a.Role, a.State)
		return nil
	}),
	"POST /_fake/team-repos": adminOp(func(f *Fake, a adminArgs) any {
		f.SetTeamRepoPermission(a.Org, a.Slug, a.Owner, a.Repo, a.Permission)
		return nil
	}),
	"POST /_fake/repos": adminOp(func(f *Fake, a adminArgs) any { f.AddRepo(a.Owner, a.Repo); return nil }),
	"POST /_fake/collaborators": adminOp(func(f *Fake, a adminArgs) any {
		f.SetCollaborator(a.Owner, a.Repo, a.Login, a.Permission)
		return nil
	}),
	"POST /_fake/invitations": adminOp(func(f *Fake, a adminArgs) any {
		f.InviteCollaborator(a.Owner, a.Repo, a.Login, a.Permission)
		return nil
	}),
	"POST /_fake/invitations/accept": adminOp(func(f *Fake, a adminArgs) any {
		f.AcceptInvitation(a.Owner, a.Repo, a.Login)
		return nil
	}),
	"POST /_fake/git/commits": adminOp(func(f *Fake, p struct {
		repoRef
		RepoCommit
	}) any {
		return obj{"sha": f.PushCommit(p.Owner, p.Repo, p.RepoCommit)}
	}),
	"POST /_fake/git/branches": adminOp(func(f *Fake, a adminArgs) any {
		f.SetBranch(a.Owner, a.Repo, a.Branch, a.SHA)
		return nil
	}),
	"POST /_fake/git/tags": adminOp(func(f *Fake, a adminArgs) any { f.SetTag(a.Owner, a.Repo, a.Tag, a.SHA); return nil }),
	"POST /_fake/git/default-branch": adminOp(func(f *Fake, a adminArgs) any {
		f.SetDefaultBranch(a.Owner, a.Repo, a.Branch)
		return nil
	}),
	"POST /_fake/pull-files": adminOp(func(f *Fake, a adminArgs) any {
		f.SetPullFiles(a.Owner, a.Repo, a.Number, a.Files)
		return nil
	}),
	"POST /_fake/pulls": adminOp(func(f *Fake, p struct {
		repoRef
		PullRequest
	}) any {
		return obj{"number": f.AddPullRequest(p.Owner, p.Repo, p.PullRequest)}
	}),
	"POST /_fake/commits": adminOp(func(f *Fake, a adminArgs) any {
		f.AddCommit(a.Owner, a.Repo, a.Number, a.SHA, a.Author, a.Committer)
		return nil
	}),
	"POST /_fake/reviews": adminOp(func(f *Fake, a adminArgs) any {
		return obj{"id": f.AddReviewWithBody(a.Owner, a.Repo, a.Number, a.Login, a.State, a.CommitID, a.Body)}
	}),
	"POST /_fake/reviews/dismiss": adminOp(func(f *Fake, a adminArgs) any {
		f.DismissReview(a.Owner, a.Repo, a.Number, a.ID)
		return nil
	}),
	"POST /_fake/pull-pushes": adminOp(func(f *Fake, p struct {
		repoRef
		Number int `json:"number"`
		PullPush
	}) any {
		f.PushToPull(p.Owner, p.Repo, p.Number, p.PullPush)
		return nil
	}),
	"POST /_fake/rulesets": adminOp(func(f *Fake, p struct {
		repoRef
		Ruleset
	}) any {
		return obj{"id": f.AddRuleset(p.Owner, p.Repo, p.Ruleset)}
	}),
	"POST /_fake/branch-protection": adminOp(func(f *Fake, p struct {
		repoRef
		Branch     string            `json:"branch"`
		Protection *BranchProtection `json:"protection"`
	}) any {
		f.SetBranchProtection(p.Owner, p.Repo, p.Branch, p.Protection)
		return nil
	}),
	"POST /_fake/environments": adminOp(func(f *Fake, p struct {
		repoRef
		Environment
	}) any {
		f.SetEnvironment(p.Owner, p.Repo, p.Environment)
		return nil
	}),
	"POST /_fake/head": adminOp(func(f *Fake, a adminArgs) any { f.SetHead(a.Owner, a.Repo, a.Number, a.SHA); return nil }),
	"POST /_fake/merge": adminOp(func(f *Fake, a adminArgs) any {
		f.MergePR(a.Owner, a.Repo, a.Number, a.MergeCommitSHA)
		return nil
	}),
	"POST /_fake/issues": adminOp(func(f *Fake, p struct {
		repoRef
		Issue
	}) any {
		return obj{"number": f.AddIssue(p.Owner, p.Repo, p.Issue)}
	}),
	"POST /_fake/comments": adminOp(func(f *Fake, a adminArgs) any {
		return obj{"id": f.AddComment(a.Owner, a.Repo, a.Number, a.Login, a.Body)}
	}),
	"POST /_fake/comments/edit": adminOp(func(f *Fake, a adminArgs) any {
		f.EditCommentAsUser(a.ID, a.Login, a.Body)
		return nil
	}),
	"POST /_fake/faults":       adminOp(func(f *Fake, flt Fault) any { f.InjectFault(flt); return nil }),
	"POST /_fake/faults/clear": adminOp(func(f *Fake, _ none) any { f.ClearFaults(); return nil }),
	"GET /_fake/calls": adminOp(func(f *Fake, _ none) any {
		calls := f.AllCalls()
		total := 0
		for _, n := range calls {
			total += n
		}
		return obj{"total": total, "calls": calls}
	}),
	"POST /_fake/calls/reset": adminOp(func(f *Fake, _ none) any { f.ResetCalls(); return nil }),
}

func (f *Fake) serveAdmin(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && r.URL.Path == adminPrefix {
		// An index, so the demo can discover the endpoints.
		writeJSON(w, http.StatusOK, slices.Sorted(maps.Keys(adminOps)))
		return
	}
	op := adminOps[r.Method+" "+r.URL.Path]
	if op == nil {
		writeNotFound(w)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	defer func() {
		if v := recover(); v != nil {
			e, ok := v.(seedError)
			if !ok {
				panic(v)
			}
			writeError(w, http.StatusBadRequest, e.Error())
		}
	}()
	res := op(f, body)
	if res == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
