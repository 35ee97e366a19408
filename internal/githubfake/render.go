package githubfake

import (
	"fmt"
	"net/url"
	"time"
)

// JSON renderers for GitHub objects: every field GitHub's API description
// requires (the conformance test holds the fake to it), with the URLs
// pointing back at the fake.

func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func nodeID(prefix string, id int64) string { return fmt.Sprintf("%s_%d", prefix, id) }

func esc(s string) string { return url.PathEscape(s) }

const webURL = "https://github.com/"

// ghost stands in, as on GitHub, for an account that is not known: a
// deleted user, or the inviter of an invitation seeded without one.
var ghost = &account{id: 10137, login: "ghost", kind: "User"}

func (c *call) user(a *account) any {
	if a == nil {
		return nil
	}
	return c.userObj(a)
}

// userObj is a simple-user.
func (c *call) userObj(a *account) obj {
	u := c.base() + "users/" + esc(a.login)
	return obj{
		"login":               a.login,
		"id":                  a.id,
		"node_id":             nodeID("U", a.id),
		"avatar_url":          fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", a.id),
		"gravatar_id":         "",
		"url":                 u,
		"html_url":            webURL + esc(a.login),
		"followers_url":       u + "/followers",
		"following_url":       u + "/following{/other_user}",
		"gists_url":           u + "/gists{/gist_id}",
		"starred_url":         u + "/starred{/owner}{/repo}",
		"subscriptions_url":   u + "/subscriptions",
		"organizations_url":   u + "/orgs",
		"repos_url":           u + "/repos",
		"events_url":          u + "/events{/privacy}",
		"received_events_url": u + "/received_events",
		"type":                a.kind,
		"user_view_type":      "public",
		"site_admin":          false,
	}
}

// publicUserObj is a public-user, as GET /users/{username} answers.
func (c *call) publicUserObj(a *account) obj {
	u := c.userObj(a)
	for k, v := range map[string]any{
		"name": nil, "company": nil, "blog": "", "location": nil, "email": nil, "hireable": nil, "bio": nil,
		"twitter_username": nil, "public_repos": 0, "public_gists": 0, "followers": 0, "following": 0,
		"created_at": ts(a.created), "updated_at": ts(a.created),
	} {
		u[k] = v
	}
	return u
}

// orgSimpleObj is an organization-simple.
func (c *call) orgSimpleObj(o *org) obj {
	u := c.base() + "orgs/" + esc(o.acct.login)
	return obj{
		"login":              o.acct.login,
		"id":                 o.acct.id,
		"node_id":            nodeID("O", o.acct.id),
		"url":                u,
		"repos_url":          u + "/repos",
		"events_url":         u + "/events",
		"hooks_url":          u + "/hooks",
		"issues_url":         u + "/issues",
		"members_url":        u + "/members{/member}",
		"public_members_url": u + "/public_members{/member}",
		"avatar_url":         fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", o.acct.id),
		"description":        nil,
	}
}

// orgObj is an organization-full. GitHub shows the settings (base role
// included) only to org owners and to installations with
// organization_administration read.
func (c *call) orgObj(o *org, settings bool) obj {
	m := c.orgSimpleObj(o)
	for k, v := range map[string]any{
		"html_url":                  webURL + esc(o.acct.login),
		"has_organization_projects": true,
		"has_repository_projects":   true,
		"public_repos":              0,
		"public_gists":              0,
		"followers":                 0,
		"following":                 0,
		"type":                      "Organization",
		"created_at":                ts(o.acct.created),
		"updated_at":                ts(o.acct.created),
		"archived_at":               nil,
	} {
		m[k] = v
	}
	if settings {
		base := roleName(o.basePerm)
		m["default_repository_permission"] = base
		m["members_can_create_repositories"] = true
		m["two_factor_requirement_enabled"] = false
	}
	return m
}

func (c *call) teamURL(t *team) string {
	return c.base() + "orgs/" + esc(t.org.acct.login) + "/teams/" + esc(t.slug)
}

// teamSimpleObj is a team-simple.
func (c *call) teamSimpleObj(t *team) obj {
	u := c.teamURL(t)
	return obj{
		"id":                   t.id,
		"node_id":              nodeID("T", t.id),
		"url":                  u,
		"html_url":             webURL + "orgs/" + esc(t.org.acct.login) + "/teams/" + esc(t.slug),
		"name":                 t.slug,
		"slug":                 t.slug,
		"description":          nil,
		"privacy":              "closed",
		"notification_setting": "notifications_enabled",
		"permission":           "pull",
		"members_url":          u + "/members{/member}",
		"repositories_url":     u + "/repos",
		"type":                 "organization",
	}
}

// teamObj is a team, with its parent.
func (c *call) teamObj(t *team) obj {
	o := c.teamSimpleObj(t)
	o["parent"] = nil
	if t.parent != nil {
		o["parent"] = c.teamSimpleObj(t.parent)
	}
	return o
}

// teamFullObj is a team-full, as GET /orgs/{org}/teams/{team_slug} answers.
func (c *call) teamFullObj(t *team) obj {
	o := c.teamObj(t)
	o["members_count"] = len(t.activeMembers())
	o["repos_count"] = len(t.repos)
	o["created_at"] = ts(t.created)
	o["updated_at"] = ts(t.created)
	o["organization"] = c.orgObj(t.org, false)
	return o
}

func (c *call) teamMembershipObj(t *team, a *account, role, state string) obj {
	return obj{
		"url":   c.teamURL(t) + "/memberships/" + esc(a.login),
		"role":  role,
		"state": state,
	}
}

func (c *call) repoURL(r *repo) string {
	return c.base() + "repos/" + esc(r.owner.login) + "/" + esc(r.name)
}

// repoObj is a full-repository, which has every field the smaller
// repository shapes require.
func (c *call) repoObj(r *repo) obj {
	u := c.repoURL(r)
	html := webURL + esc(r.owner.login) + "/" + esc(r.name)
	o := obj{
		"id":                r.id,
		"node_id":           nodeID("R", r.id),
		"name":              r.name,
		"full_name":         r.fullName(),
		"private":           true,
		"visibility":        "private",
		"owner":             c.userObj(r.owner),
		"html_url":          html,
		"description":       nil,
		"fork":              false,
		"url":               u,
		"homepage":          nil,
		"language":          nil,
		"default_branch":    r.git.defaultBranch,
		"forks":             0,
		"forks_count":       0,
		"stargazers_count":  0,
		"watchers":          0,
		"watchers_count":    0,
		"network_count":     0,
		"subscribers_count": 0,
		"size":              0,
		"open_issues":       r.openIssues(),
		"open_issues_count": r.openIssues(),
		"has_issues":        true,
		"has_projects":      true,
		"has_wiki":          false,
		"has_pages":         false,
		"has_downloads":     false,
		"has_discussions":   false,
		"archived":          false,
		"disabled":          false,
		"is_template":       false,
		"mirror_url":        nil,
		"license":           nil,
		"topics":            []string{},
		"pushed_at":         ts(r.created),
		"created_at":        ts(r.created),
		"updated_at":        ts(r.created),
		"clone_url":         html + ".git",
		"git_url":           "git://github.com/" + r.fullName() + ".git",
		"ssh_url":           "git@github.com:" + r.fullName() + ".git",
		"svn_url":           html,
		"permissions":       permissionsObj(c.viewerPerm(r)),
	}
	for k, v := range map[string]string{
		"archive_url":       "/{archive_format}{/ref}",
		"assignees_url":     "/assignees{/user}",
		"blobs_url":         "/git/blobs{/sha}",
		"branches_url":      "/branches{/branch}",
		"collaborators_url": "/collaborators{/collaborator}",
		"comments_url":      "/comments{/number}",
		"commits_url":       "/commits{/sha}",
		"compare_url":       "/compare/{base}...{head}",
		"contents_url":      "/contents/{+path}",
		"contributors_url":  "/contributors",
		"deployments_url":   "/deployments",
		"downloads_url":     "/downloads",
		"events_url":        "/events",
		"forks_url":         "/forks",
		"git_commits_url":   "/git/commits{/sha}",
		"git_refs_url":      "/git/refs{/sha}",
		"git_tags_url":      "/git/tags{/sha}",
		"hooks_url":         "/hooks",
		"issue_comment_url": "/issues/comments{/number}",
		"issue_events_url":  "/issues/events{/number}",
		"issues_url":        "/issues{/number}",
		"keys_url":          "/keys{/key_id}",
		"labels_url":        "/labels{/name}",
		"languages_url":     "/languages",
		"merges_url":        "/merges",
		"milestones_url":    "/milestones{/number}",
		"notifications_url": "/notifications{?since,all,participating}",
		"pulls_url":         "/pulls{/number}",
		"releases_url":      "/releases{/id}",
		"stargazers_url":    "/stargazers",
		"statuses_url":      "/statuses/{sha}",
		"subscribers_url":   "/subscribers",
		"subscription_url":  "/subscription",
		"tags_url":          "/tags",
		"teams_url":         "/teams",
		"trees_url":         "/git/trees{/sha}",
	} {
		o[k] = u + v
	}
	return o
}

func (r *repo) openIssues() int {
	n := 0
	for _, is := range r.issues {
		if is.state == "open" {
			n++
		}
	}
	return n
}

// viewerPerm is the caller's access to r: its role for a user, for an
// installation what its permissions allow.
func (c *call) viewerPerm(r *repo) string {
	in := c.id.inst
	if in == nil {
		return c.f.effective(r, c.viewer)
	}
	switch {
	case !in.reaches(r):
		return ""
	case in.has("administration", "write"):
		return "admin"
	case in.has("contents", "write"):
		return "push"
	}
	return "pull"
}

func (c *call) invitationObj(r *repo, inv *repoInvitation) obj {
	inviter := inv.inviter
	if inviter == nil {
		inviter = ghost
	}
	return obj{
		"id":          inv.id,
		"node_id":     nodeID("RI", inv.id),
		"repository":  c.repoObj(r),
		"invitee":     c.user(inv.invitee),
		"inviter":     c.user(inviter),
		"permissions": roleName(inv.perm),
		"created_at":  ts(inv.created),
		"expired":     inv.expired(c.f.clock.Now()),
		"url":         c.base() + "user/repository_invitations/" + fmt.Sprint(inv.id),
		"html_url":    webURL + esc(r.owner.login) + "/" + esc(r.name) + "/invitations",
	}
}

// orgInvitationObj is an organization-invitation.
func (c *call) orgInvitationObj(o *org, inv *orgInvitation) obj {
	inviter := inv.inviter
	if inviter == nil {
		inviter = ghost
	}
	teams := 0
	for _, t := range o.teams {
		if m := t.members[inv.invitee]; m != nil && m.state == "pending" {
			teams++
		}
	}
	return obj{
		"id":                   inv.id,
		"node_id":              nodeID("OI", inv.id),
		"login":                inv.invitee.login,
		"email":                nil,
		"role":                 "direct_member",
		"created_at":           ts(inv.created),
		"inviter":              c.userObj(inviter),
		"team_count":           teams,
		"invitation_teams_url": c.base() + "organizations/" + fmt.Sprint(o.acct.id) + "/invitations/" + fmt.Sprint(inv.id) + "/teams",
		"invitation_source":    "member",
	}
}

func link(href string) obj { return obj{"href": href} }

// pullObj renders a pull request: a pull-request-simple for lists, a
// pull-request (with merge state and counts) for the single-PR endpoint.
func (c *call) pullObj(r *repo, is *issue, single bool) obj {
	p := is.pr
	var mergedAt any
	if p.merged {
		mergedAt = ts(is.closed)
	}
	branch := func(in *repo, ref, sha string) obj {
		return obj{"label": in.owner.login + ":" + ref, "ref": ref, "sha": sha, "user": c.userObj(in.owner), "repo": c.repoObj(in)}
	}
	u := c.repoURL(r) + "/pulls/" + fmt.Sprint(is.number)
	html := webURL + esc(r.owner.login) + "/" + esc(r.name) + "/pull/" + fmt.Sprint(is.number)
	issueURL := c.repoURL(r) + "/issues/" + fmt.Sprint(is.number)
	statuses := c.repoURL(r) + "/statuses/" + p.headSHA
	o := obj{
		"url":                 u,
		"id":                  is.id,
		"node_id":             nodeID("PR", is.id),
		"html_url":            html,
		"diff_url":            html + ".diff",
		"patch_url":           html + ".patch",
		"issue_url":           issueURL,
		"commits_url":         u + "/commits",
		"review_comments_url": u + "/comments",
		"review_comment_url":  c.repoURL(r) + "/pulls/comments{/number}",
		"comments_url":        issueURL + "/comments",
		"statuses_url":        statuses,
		"number":              is.number,
		"state":               is.state,
		"locked":              false,
		"title":               is.title,
		"body":                is.body,
		"user":                c.user(is.author),
		"labels":              c.labelsObj(r, is),
		"assignee":            nil,
		"assignees":           []obj{},
		"requested_reviewers": c.requestedUsersObj(p),
		"requested_teams":     c.requestedTeamsObj(p),
		"milestone":           nil,
		"created_at":          ts(is.created),
		"updated_at":          ts(is.updated),
		"closed_at":           ts(is.closed),
		"merged_at":           mergedAt,
		"merge_commit_sha":    nilIfEmpty(p.mergeSHA),
		"draft":               false,
		"head":                branch(p.headRepoOr(r), p.headRef, p.headSHA),
		"base":                branch(r, p.baseRef, p.baseSHA),
		"author_association":  c.f.authorAssociation(r, is.author),
		"auto_merge":          nil,
		"active_lock_reason":  nil,
		"_links": obj{
			"self":            link(u),
			"html":            link(html),
			"issue":           link(issueURL),
			"comments":        link(issueURL + "/comments"),
			"review_comments": link(u + "/comments"),
			"review_comment":  link(c.repoURL(r) + "/pulls/comments{/number}"),
			"commits":         link(u + "/commits"),
			"statuses":        link(statuses),
		},
	}
	if single {
		additions, deletions := 0, 0
		for _, pf := range p.files {
			additions += pf.Additions
			deletions += pf.Deletions
		}
		var mergeable any = !p.merged && is.state == "open"
		mergeableState := "clean"
		if p.merged || is.state != "open" {
			mergeable, mergeableState = nil, "unknown"
		}
		o["merged"] = p.merged
		o["mergeable"] = mergeable
		o["rebaseable"] = mergeable
		o["mergeable_state"] = mergeableState
		o["merged_by"] = nil
		o["maintainer_can_modify"] = false
		o["commits"] = len(p.commits)
		o["comments"] = len(is.comments)
		o["review_comments"] = 0
		o["additions"] = additions
		o["deletions"] = deletions
		o["changed_files"] = len(p.files)
	}
	return o
}

func (c *call) requestedUsersObj(p *pull) []any {
	out := []any{}
	for _, a := range p.requestedUsers {
		out = append(out, c.user(a))
	}
	return out
}

func (c *call) requestedTeamsObj(p *pull) []obj {
	out := []obj{}
	for _, t := range p.requestedTeams {
		out = append(out, c.teamObj(t))
	}
	return out
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (c *call) labelsObj(r *repo, is *issue) []obj {
	out := []obj{}
	for _, l := range is.labels {
		out = append(out, obj{
			"id":          l.id,
			"node_id":     nodeID("LA", l.id),
			"url":         c.repoURL(r) + "/labels/" + esc(l.name),
			"name":        l.name,
			"description": "",
			"color":       "ededed",
			"default":     false,
		})
	}
	return out
}

// issueObj renders an issue; a pull request listed as an issue carries a
// "pull_request" key, which is how clients tell them apart.
func (c *call) issueObj(r *repo, is *issue) obj {
	u := c.repoURL(r) + "/issues/" + fmt.Sprint(is.number)
	o := obj{
		"url":                u,
		"repository_url":     c.repoURL(r),
		"labels_url":         u + "/labels{/name}",
		"comments_url":       u + "/comments",
		"events_url":         u + "/events",
		"id":                 is.id,
		"node_id":            nodeID("I", is.id),
		"html_url":           webURL + esc(r.owner.login) + "/" + esc(r.name) + "/issues/" + fmt.Sprint(is.number),
		"number":             is.number,
		"state":              is.state,
		"title":              is.title,
		"body":               is.body,
		"user":               c.user(is.author),
		"labels":             c.labelsObj(r, is),
		"assignee":           nil,
		"assignees":          []obj{},
		"milestone":          nil,
		"locked":             false,
		"active_lock_reason": nil,
		"comments":           len(is.comments),
		"created_at":         ts(is.created),
		"updated_at":         ts(is.updated),
		"closed_at":          ts(is.closed),
		"author_association": c.f.authorAssociation(r, is.author),
	}
	if is.pr != nil {
		pu := c.repoURL(r) + "/pulls/" + fmt.Sprint(is.number)
		html := webURL + esc(r.owner.login) + "/" + esc(r.name) + "/pull/" + fmt.Sprint(is.number)
		var mergedAt any
		if is.pr.merged {
			mergedAt = ts(is.closed)
		}
		o["pull_request"] = obj{"url": pu, "html_url": html, "diff_url": html + ".diff", "patch_url": html + ".patch", "merged_at": mergedAt}
	}
	return o
}

func (c *call) commentObj(cm *comment) obj {
	r := cm.repo
	return obj{
		"id":                 cm.id,
		"node_id":            nodeID("IC", cm.id),
		"url":                c.repoURL(r) + "/issues/comments/" + fmt.Sprint(cm.id),
		"html_url":           fmt.Sprintf("%s%s/%s/issues/%d#issuecomment-%d", webURL, esc(r.owner.login), esc(r.name), cm.issue.number, cm.id),
		"issue_url":          c.repoURL(r) + "/issues/" + fmt.Sprint(cm.issue.number),
		"body":               cm.body,
		"user":               c.user(cm.author),
		"created_at":         ts(cm.created),
		"updated_at":         ts(cm.updated),
		"author_association": c.f.authorAssociation(r, cm.author),
	}
}

func (c *call) reviewObj(r *repo, is *issue, rv *review) obj {
	html := fmt.Sprintf("%s%s/%s/pull/%d#pullrequestreview-%d", webURL, esc(r.owner.login), esc(r.name), is.number, rv.id)
	pu := c.repoURL(r) + "/pulls/" + fmt.Sprint(is.number)
	return obj{
		"id":                 rv.id,
		"node_id":            nodeID("PRR", rv.id),
		"user":               c.user(rv.user),
		"body":               rv.body,
		"state":              rv.state,
		"html_url":           html,
		"pull_request_url":   pu,
		"author_association": c.f.authorAssociation(r, rv.user),
		"submitted_at":       ts(rv.submitted),
		"commit_id":          rv.commitID,
		"_links":             obj{"html": link(html), "pull_request": link(pu)},
	}
}

// commitObj is a commit as the commits endpoints list it.
func (c *call) commitObj(r *repo, sha string, author, committer *account, date time.Time, message string, parents []string) obj {
	gitUser := func(a *account) obj {
		name, email := "Unlinked Author", "unlinked@example.com"
		if a != nil {
			name, email = a.login, fmt.Sprintf("%d+%s@users.noreply.github.com", a.id, a.login)
		}
		return obj{"name": name, "email": email, "date": ts(date)}
	}
	u := c.repoURL(r) + "/commits/" + sha
	html := webURL + esc(r.owner.login) + "/" + esc(r.name) + "/commit/" + sha
	ps := []obj{}
	for _, p := range parents {
		ps = append(ps, obj{"sha": p, "url": c.repoURL(r) + "/commits/" + p, "html_url": webURL + esc(r.owner.login) + "/" + esc(r.name) + "/commit/" + p})
	}
	if message == "" {
		message = "commit " + sha
	}
	return obj{
		"sha":          sha,
		"node_id":      "C_" + sha,
		"url":          u,
		"html_url":     html,
		"comments_url": u + "/comments",
		"commit": obj{
			"url":           c.repoURL(r) + "/git/commits/" + sha,
			"author":        gitUser(author),
			"committer":     gitUser(committer),
			"message":       message,
			"comment_count": 0,
			"tree":          obj{"sha": treeSHA(sha), "url": c.repoURL(r) + "/git/trees/" + treeSHA(sha)},
			"verification":  obj{"verified": false, "reason": "unsigned", "signature": nil, "payload": nil, "verified_at": nil},
		},
		"author":    c.user(author),
		"committer": c.user(committer),
		"parents":   ps,
	}
}
