package githubfake

import (
	"fmt"
	"net/url"
	"time"
)

// JSON renderers for GitHub objects, with the fields go-github v60 reads and
// the URLs pointing back at the fake.

func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func nodeID(prefix string, id int64) string { return fmt.Sprintf("%s_%d", prefix, id) }

func esc(s string) string { return url.PathEscape(s) }

func (c *call) user(a *account) any {
	if a == nil {
		return nil
	}
	u := c.base() + "users/" + esc(a.login)
	return obj{
		"login":      a.login,
		"id":         a.id,
		"node_id":    nodeID("U", a.id),
		"avatar_url": fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", a.id),
		"url":        u,
		"html_url":   "https://github.com/" + esc(a.login),
		"repos_url":  u + "/repos",
		"type":       a.kind,
		"site_admin": false,
	}
}

func (c *call) orgObj(o *org) obj {
	u := c.base() + "orgs/" + esc(o.acct.login)
	return obj{
		"login":       o.acct.login,
		"id":          o.acct.id,
		"node_id":     nodeID("O", o.acct.id),
		"url":         u,
		"repos_url":   u + "/repos",
		"members_url": u + "/members{/member}",
		"avatar_url":  fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", o.acct.id),
		"html_url":    "https://github.com/" + esc(o.acct.login),
		"type":        "Organization",
	}
}

func (c *call) teamObj(t *team) obj {
	u := c.base() + "orgs/" + esc(t.org.acct.login) + "/teams/" + esc(t.slug)
	active := 0
	for _, m := range t.members {
		if m.state == "active" {
			active++
		}
	}
	return obj{
		"id":                   t.id,
		"node_id":              nodeID("T", t.id),
		"url":                  u,
		"html_url":             "https://github.com/orgs/" + esc(t.org.acct.login) + "/teams/" + esc(t.slug),
		"name":                 t.slug,
		"slug":                 t.slug,
		"description":          nil,
		"privacy":              "closed",
		"notification_setting": "notifications_enabled",
		"permission":           "pull",
		"members_url":          u + "/members{/member}",
		"repositories_url":     u + "/repos",
		"parent":               nil,
		"members_count":        active,
		"repos_count":          len(t.repos),
		"organization":         c.orgObj(t.org),
	}
}

func (c *call) teamMembershipObj(t *team, m *teamMember) obj {
	return obj{
		"url":   c.base() + "orgs/" + esc(t.org.acct.login) + "/teams/" + esc(t.slug) + "/memberships/" + esc(m.acct.login),
		"role":  m.role,
		"state": m.state,
	}
}

func (c *call) repoURL(r *repo) string {
	return c.base() + "repos/" + esc(r.owner.login) + "/" + esc(r.name)
}

func (c *call) repoObj(r *repo) obj {
	return obj{
		"id":             r.id,
		"node_id":        nodeID("R", r.id),
		"name":           r.name,
		"full_name":      r.owner.login + "/" + r.name,
		"private":        true,
		"visibility":     "private",
		"owner":          c.user(r.owner),
		"html_url":       "https://github.com/" + esc(r.owner.login) + "/" + esc(r.name),
		"url":            c.repoURL(r),
		"default_branch": "main",
		"permissions":    permissionsObj(c.f.effective(r, c.viewer)),
	}
}

func (c *call) invitationObj(r *repo, inv *repoInvitation) obj {
	return obj{
		"id":          inv.id,
		"node_id":     nodeID("RI", inv.id),
		"repository":  c.repoObj(r),
		"invitee":     c.user(inv.invitee),
		"inviter":     c.user(inv.inviter),
		"permissions": roleName(inv.perm),
		"created_at":  ts(inv.created),
		"expired":     false,
		"url":         c.base() + "user/repository_invitations/" + fmt.Sprint(inv.id),
		"html_url":    "https://github.com/" + esc(r.owner.login) + "/" + esc(r.name) + "/invitations",
	}
}

// pullObj renders a pull request; merged and mergeable appear only on the
// single-PR endpoint, as on GitHub.
func (c *call) pullObj(r *repo, is *issue, single bool) obj {
	p := is.pr
	var mergedAt any
	if p.merged {
		mergedAt = ts(is.closed)
	}
	branch := func(ref, sha string) obj {
		return obj{"label": r.owner.login + ":" + ref, "ref": ref, "sha": sha, "user": c.user(r.owner), "repo": c.repoObj(r)}
	}
	o := obj{
		"url":                 c.repoURL(r) + "/pulls/" + fmt.Sprint(is.number),
		"id":                  is.id,
		"node_id":             nodeID("PR", is.id),
		"html_url":            "https://github.com/" + esc(r.owner.login) + "/" + esc(r.name) + "/pull/" + fmt.Sprint(is.number),
		"number":              is.number,
		"state":               is.state,
		"locked":              false,
		"title":               is.title,
		"body":                is.body,
		"user":                c.user(is.author),
		"labels":              c.labelsObj(r, is),
		"created_at":          ts(is.created),
		"updated_at":          ts(is.updated),
		"closed_at":           ts(is.closed),
		"merged_at":           mergedAt,
		"merge_commit_sha":    nilIfEmpty(p.mergeSHA),
		"draft":               false,
		"head":                branch(p.headRef, p.headSHA),
		"base":                branch(p.baseRef, ""),
		"author_association":  c.f.authorAssociation(r, is.author),
		"commits_url":         c.repoURL(r) + "/pulls/" + fmt.Sprint(is.number) + "/commits",
		"review_comments_url": c.repoURL(r) + "/pulls/" + fmt.Sprint(is.number) + "/comments",
	}
	if single {
		o["merged"] = p.merged
		o["mergeable"] = !p.merged && is.state == "open"
		o["commits"] = len(p.commits)
		o["comments"] = len(is.comments)
	}
	return o
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
			"id":      l.id,
			"node_id": nodeID("LA", l.id),
			"url":     c.repoURL(r) + "/labels/" + esc(l.name),
			"name":    l.name,
			"color":   "ededed",
			"default": false,
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
		"id":                 is.id,
		"node_id":            nodeID("I", is.id),
		"html_url":           "https://github.com/" + esc(r.owner.login) + "/" + esc(r.name) + "/issues/" + fmt.Sprint(is.number),
		"comments_url":       u + "/comments",
		"number":             is.number,
		"state":              is.state,
		"title":              is.title,
		"body":               is.body,
		"user":               c.user(is.author),
		"labels":             c.labelsObj(r, is),
		"assignees":          []obj{},
		"locked":             false,
		"comments":           len(is.comments),
		"created_at":         ts(is.created),
		"updated_at":         ts(is.updated),
		"closed_at":          ts(is.closed),
		"author_association": c.f.authorAssociation(r, is.author),
	}
	if is.pr != nil {
		pu := c.repoURL(r) + "/pulls/" + fmt.Sprint(is.number)
		var mergedAt any
		if is.pr.merged {
			mergedAt = ts(is.closed)
		}
		o["pull_request"] = obj{"url": pu, "html_url": pu, "diff_url": pu + ".diff", "patch_url": pu + ".patch", "merged_at": mergedAt}
	}
	return o
}

func (c *call) commentObj(cm *comment) obj {
	r := cm.repo
	return obj{
		"id":                 cm.id,
		"node_id":            nodeID("IC", cm.id),
		"url":                c.repoURL(r) + "/issues/comments/" + fmt.Sprint(cm.id),
		"html_url":           fmt.Sprintf("https://github.com/%s/%s/issues/%d#issuecomment-%d", esc(r.owner.login), esc(r.name), cm.issue.number, cm.id),
		"issue_url":          c.repoURL(r) + "/issues/" + fmt.Sprint(cm.issue.number),
		"body":               cm.body,
		"user":               c.user(cm.author),
		"created_at":         ts(cm.created),
		"updated_at":         ts(cm.updated),
		"author_association": c.f.authorAssociation(r, cm.author),
	}
}

func (c *call) reviewObj(r *repo, is *issue, rv *review) obj {
	return obj{
		"id":                 rv.id,
		"node_id":            nodeID("PRR", rv.id),
		"user":               c.user(rv.user),
		"body":               rv.body,
		"state":              rv.state,
		"html_url":           fmt.Sprintf("https://github.com/%s/%s/pull/%d#pullrequestreview-%d", esc(r.owner.login), esc(r.name), is.number, rv.id),
		"pull_request_url":   c.repoURL(r) + "/pulls/" + fmt.Sprint(is.number),
		"author_association": c.f.authorAssociation(r, rv.user),
		"submitted_at":       ts(rv.submitted),
		"commit_id":          rv.commitID,
	}
}

func (c *call) commitObj(r *repo, cm *commit) obj {
	gitUser := func(a *account) obj {
		name, email := "Unlinked Author", "unlinked@example.com"
		if a != nil {
			name, email = a.login, fmt.Sprintf("%d+%s@users.noreply.github.com", a.id, a.login)
		}
		return obj{"name": name, "email": email, "date": ts(cm.date)}
	}
	u := c.repoURL(r) + "/commits/" + cm.sha
	return obj{
		"sha":      cm.sha,
		"node_id":  "C_" + cm.sha,
		"url":      u,
		"html_url": "https://github.com/" + esc(r.owner.login) + "/" + esc(r.name) + "/commit/" + cm.sha,
		"commit": obj{
			"url":           c.repoURL(r) + "/git/commits/" + cm.sha,
			"author":        gitUser(cm.author),
			"committer":     gitUser(cm.committer),
			"message":       "commit " + cm.sha,
			"comment_count": 0,
		},
		"author":    c.user(cm.author),
		"committer": c.user(cm.committer),
		"parents":   []obj{},
	}
}
