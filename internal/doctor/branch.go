package doctor

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/settings"
)

// What protects the default branch: every active ruleset rule that applies
// to it (GET /repos/{owner}/{repo}/rules/branches/{branch}, whatever level
// the ruleset is configured at) and classic branch protection. A
// requirement holds when one of them makes it; someone can bypass it when
// every one that makes it lets them (rules add up: bypassing one ruleset
// leaves another's rules in force).

// requirement is one thing the default branch must require.
type requirement struct {
	point   string
	missing string // the summary when nothing requires it
	fix     string
	review  bool // a pull request review requirement, which classic protection's review bypass list skips
}

const rulesetFix = `Settings → Rules → Rulesets → New branch ruleset (or the ruleset that targets the default branch), Enforcement status "Active", target "Include default branch": `

var requirements = []requirement{
	{PointPullRequest, "merging needs no approved pull request",
		rulesetFix + `check "Require a pull request before merging" and set "Required approvals" to at least 1 (rule pull_request, required_approving_review_count >= 1)`, true},
	{PointDismissStale, "an approval stays after new commits are pushed",
		rulesetFix + `under "Require a pull request before merging", check "Dismiss stale pull request approvals when new commits are pushed" (dismiss_stale_reviews_on_push: true)`, true},
	{PointLastPush, "whoever pushed last may approve their own push",
		rulesetFix + `under "Require a pull request before merging", check "Require approval of the most recent reviewable push" (require_last_push_approval: true)`, true},
	{PointCodeOwners, "code owners need not review changes to the files they own",
		rulesetFix + `under "Require a pull request before merging", check "Require review from Code Owners" (require_code_owner_review: true)`, true},
	{PointRequiredCheck, "", "", false}, // message and fix depend on the settings
	{PointForcePush, "the default branch may be force-pushed",
		rulesetFix + `check "Block force pushes" (rule non_fast_forward)`, false},
	{PointDeletion, "the default branch may be deleted (and pushed again without review)",
		rulesetFix + `check "Restrict deletions" (rule deletion)`, false},
}

// source is a ruleset or the classic protection: what it requires and who
// may bypass it.
type source struct {
	name     string
	meets    map[string]bool
	bypass   []string // actors beyond bypass_actors who bypass everything it requires
	bypassPR []string // classic protection only: who bypasses its review requirements
	details  map[string]string
}

// branchRule is one entry of GET /repos/{owner}/{repo}/rules/branches/{branch}.
type branchRule struct {
	Type       string          `json:"type"`
	Parameters json.RawMessage `json:"parameters"`
	RulesetID  int64           `json:"ruleset_id"`
	Source     string          `json:"ruleset_source"`
	SourceType string          `json:"ruleset_source_type"`
}

type rulesetInfo struct {
	ID           int64                 `json:"id"`
	Name         string                `json:"name"`
	BypassActors *[]rulesetBypassActor `json:"bypass_actors"`
}

type rulesetBypassActor struct {
	ActorID    *int64 `json:"actor_id"`
	ActorType  string `json:"actor_type"`
	BypassMode string `json:"bypass_mode"`
}

type pullRequestParams struct {
	Count        int  `json:"required_approving_review_count"`
	DismissStale bool `json:"dismiss_stale_reviews_on_push"`
	CodeOwners   bool `json:"require_code_owner_review"`
	LastPush     bool `json:"require_last_push_approval"`
}

type statusChecksParams struct {
	Checks []struct {
		Context       string `json:"context"`
		IntegrationID *int64 `json:"integration_id"`
	} `json:"required_status_checks"`
}

type workflowsParams struct {
	Workflows []struct {
		Path string `json:"path"`
		Ref  string `json:"ref"`
		SHA  string `json:"sha"`
	} `json:"workflows"`
}

type mergeQueueParams struct {
	MaxEntriesToMerge int `json:"max_entries_to_merge"`
}

func checkBranch(r *reader, s *settings.Settings, res *Result) error {
	branch := res.DefaultBranch
	rules, err := pages[branchRule](r, r.repoPath("rules/branches/%s", url.PathEscape(branch)))
	if err != nil {
		return fmt.Errorf("reading the rules of branch %s: %w", branch, err)
	}
	var sources []*source
	byID := map[int64]*source{}
	var queue []string // merge queues that merge several pull requests at once
	for _, rule := range rules {
		src := byID[rule.RulesetID]
		if src == nil {
			if src, err = r.ruleset(rule, s); err != nil {
				return err
			}
			byID[rule.RulesetID] = src
			sources = append(sources, src)
		}
		if err := src.add(rule, s, &queue); err != nil {
			return err
		}
	}
	classic, err := r.classic(branch, s)
	if err != nil {
		return err
	}
	if classic != nil {
		sources = append(sources, classic)
	}

	type bypass struct{ who, source string }
	var bypasses []bypass
	bypassedPoints := map[bypass][]string{}
	for _, req := range requirements {
		p := Point{ID: req.point, Summary: req.missing, Fix: req.fix}
		if req.point == PointRequiredCheck {
			p.Summary = fmt.Sprintf("no required check %q from app %d: a merge need not wait for the gate (or a commit status anyone may post stands in for it)", s.RequiredCheck, s.RequiredCheckAppID)
			p.Fix = rulesetFix + fmt.Sprintf(`check "Require status checks to pass", add the check %q with the source "GitHub Actions" (rule required_status_checks, integration_id %d), or require the gate's workflow under "Require workflows to pass before merging"; the check's name is in .github/jit-gate.yml as required_check`, s.RequiredCheck, s.RequiredCheckAppID)
		}
		var meeting []*source
		for _, src := range sources {
			if src.meets[req.point] {
				meeting = append(meeting, src)
			}
		}
		if len(meeting) > 0 {
			p.OK, p.Fix = true, ""
			var names []string
			for _, src := range meeting {
				names = append(names, src.name+src.details[req.point])
			}
			p.Summary = "required by " + strings.Join(names, " and ")
			for _, b := range bypassers(meeting, req) {
				key := bypass{b[1], b[0]}
				if bypassedPoints[key] == nil {
					bypasses = append(bypasses, key)
				}
				bypassedPoints[key] = append(bypassedPoints[key], req.point)
			}
		}
		res.Points = append(res.Points, p)
	}

	bp := Point{ID: PointBypass, OK: len(bypasses) == 0, Summary: "nobody outside bypass_actors may bypass what the default branch requires"}
	if !bp.OK {
		var said []string
		for _, b := range bypasses {
			said = append(said, fmt.Sprintf("%s may bypass %s, which alone requires %s", b.who, b.source, strings.Join(bypassedPoints[b], ", ")))
		}
		bp.Summary = strings.Join(said, "; ")
		bp.Fix = `remove them from the bypass list of the ruleset (Settings → Rules → Rulesets → the ruleset → Bypass list), turn on "Do not allow bypassing the above settings" in classic branch protection (enforce_admins), clear "Allow specified actors to bypass required pull requests", or name whom you trust to bypass in .github/jit-gate.yml as bypass_actors`
	}
	res.Points = append(res.Points, bp)

	mq := Point{ID: PointMergeQueue, OK: len(queue) == 0, Summary: "no merge queue merges several pull requests at once"}
	if !mq.OK {
		mq.Summary = "the merge queue of " + strings.Join(queue, ", ") + " merges several pull requests in one commit, which one apply then judges as one"
		mq.Fix = rulesetFix + `under "Require merge queue", set "Maximum pull requests to merge" to 1 (max_entries_to_merge: 1)`
	}
	res.Points = append(res.Points, mq)
	return nil
}

// bypassers are who may bypass a requirement, as {source, who} pairs: for
// each source that makes it someone may, and none makes it for everyone.
func bypassers(meeting []*source, req requirement) [][2]string {
	var out [][2]string
	for _, src := range meeting {
		who := src.bypass
		if req.review {
			who = append(slices.Clone(who), src.bypassPR...)
		}
		if len(who) == 0 {
			return nil
		}
		out = append(out, [2]string{src.name, strings.Join(who, " and ")})
	}
	return out
}

// ruleset reads the ruleset a rule belongs to, with who may bypass it.
func (r *reader) ruleset(rule branchRule, s *settings.Settings) (*source, error) {
	var rs rulesetInfo
	path := r.repoPath("rulesets/%d?includes_parents=true", rule.RulesetID)
	if _, err := r.get(path, &rs); err != nil {
		return nil, fmt.Errorf("reading ruleset %d (%s): %w", rule.RulesetID, rule.Source, err)
	}
	src := &source{name: fmt.Sprintf("ruleset %q (%d)", rs.Name, rs.ID), meets: map[string]bool{}, details: map[string]string{}}
	if rs.BypassActors == nil {
		perm := "administration=write on the repository"
		if rule.SourceType != "" && rule.SourceType != "Repository" {
			perm = "organization_administration=write on " + rule.Source
		}
		return nil, fmt.Errorf("GET %s: GitHub shows who may bypass %s only to a token that may edit it: the token needs the GitHub permission %s (a repository admin's token, or an app installed with Administration: read and write)",
			"/"+strings.SplitN(path, "?", 2)[0], src.name, perm)
	}
	for _, a := range *rs.BypassActors {
		allowed, err := r.allowedActor(a, s)
		if err != nil {
			return nil, err
		}
		if !allowed {
			src.bypass = append(src.bypass, r.showActor(a))
		}
	}
	return src, nil
}

// add records what one rule of the source's ruleset requires.
func (src *source) add(rule branchRule, s *settings.Settings, queue *[]string) error {
	decode := func(v any) error {
		if err := json.Unmarshal(rule.Parameters, v); err != nil {
			return fmt.Errorf("rule %s of %s: unexpected parameters: %v", rule.Type, src.name, err)
		}
		return nil
	}
	switch rule.Type {
	case "pull_request":
		var p pullRequestParams
		if err := decode(&p); err != nil {
			return err
		}
		src.meet(PointPullRequest, p.Count >= 1, fmt.Sprintf(", %d approval(s)", p.Count))
		src.meet(PointDismissStale, p.DismissStale, "")
		src.meet(PointLastPush, p.LastPush, "")
		src.meet(PointCodeOwners, p.CodeOwners, "")
	case "required_status_checks":
		var p statusChecksParams
		if err := decode(&p); err != nil {
			return err
		}
		for _, c := range p.Checks {
			if c.Context == s.RequiredCheck && c.IntegrationID != nil && *c.IntegrationID == s.RequiredCheckAppID {
				src.meet(PointRequiredCheck, true, fmt.Sprintf(", check %q from app %d", c.Context, *c.IntegrationID))
			}
		}
	case "workflows":
		var p workflowsParams
		if err := decode(&p); err != nil {
			return err
		}
		for _, w := range p.Workflows {
			src.meet(PointRequiredCheck, true, fmt.Sprintf(", required workflow %s@%s", w.Path, firstOf(w.SHA, w.Ref)))
		}
	case "non_fast_forward":
		src.meet(PointForcePush, true, "")
	case "deletion":
		src.meet(PointDeletion, true, "")
	case "merge_queue":
		var p mergeQueueParams
		if err := decode(&p); err != nil {
			return err
		}
		if p.MaxEntriesToMerge != 1 {
			*queue = append(*queue, fmt.Sprintf("%s (up to %d)", src.name, p.MaxEntriesToMerge))
		}
	}
	return nil
}

func (src *source) meet(point string, ok bool, detail string) {
	if ok && !src.meets[point] {
		src.meets[point] = true
		src.details[point] = detail
	}
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// classic reads the branch's classic protection; nil when it has none.
func (r *reader) classic(branch string, s *settings.Settings) (*source, error) {
	p, _, err := r.client.Repositories.GetBranchProtection(r.ctx, r.owner, r.repo, branch)
	switch {
	case errors.Is(err, github.ErrBranchNotProtected):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("reading the classic protection of branch %s (a repository admin's token, or an app with Administration: read, may): %w", branch, ghclient.Explain(err))
	}
	src := &source{name: "classic branch protection", meets: map[string]bool{}, details: map[string]string{}}
	if c := p.GetRequiredStatusChecks(); c != nil && c.Checks != nil {
		for _, check := range *c.Checks {
			if check.Context == s.RequiredCheck && check.AppID != nil && *check.AppID == s.RequiredCheckAppID {
				src.meet(PointRequiredCheck, true, fmt.Sprintf(", check %q from app %d", check.Context, *check.AppID))
			}
		}
	}
	if rv := p.GetRequiredPullRequestReviews(); rv != nil {
		src.meet(PointPullRequest, rv.RequiredApprovingReviewCount >= 1, fmt.Sprintf(", %d approval(s)", rv.RequiredApprovingReviewCount))
		src.meet(PointDismissStale, rv.DismissStaleReviews, "")
		src.meet(PointLastPush, rv.RequireLastPushApproval, "")
		src.meet(PointCodeOwners, rv.RequireCodeOwnerReviews, "")
		if a := rv.GetBypassPullRequestAllowances(); a != nil {
			for _, u := range a.Users {
				if !slices.ContainsFunc(s.BypassActors, func(b settings.Actor) bool { return b.Type == "User" && strings.EqualFold(b.Name, u.GetLogin()) }) {
					src.bypassPR = append(src.bypassPR, "user "+u.GetLogin())
				}
			}
			for _, t := range a.Teams {
				name := r.owner + "/" + t.GetSlug()
				if !slices.ContainsFunc(s.BypassActors, func(b settings.Actor) bool { return b.Type == "Team" && strings.EqualFold(b.Name, name) }) {
					src.bypassPR = append(src.bypassPR, "team "+name)
				}
			}
			for _, app := range a.Apps {
				if !slices.ContainsFunc(s.BypassActors, func(b settings.Actor) bool { return b.Type == "Integration" && b.ID == app.GetID() }) {
					src.bypassPR = append(src.bypassPR, fmt.Sprintf("app %s (%d)", app.GetSlug(), app.GetID()))
				}
			}
		}
	}
	src.meet(PointForcePush, !p.GetAllowForcePushes().Enabled, "")
	src.meet(PointDeletion, !p.GetAllowDeletions().Enabled, "")
	if !p.GetEnforceAdmins().Enabled && !slices.ContainsFunc(s.BypassActors, func(b settings.Actor) bool { return b.Type == "RepositoryRole" && b.ID == adminRole }) {
		src.bypass = append(src.bypass, "repository admins (enforce_admins is off)")
	}
	return src, nil
}

// adminRole is the repository role id of admin in ruleset bypass lists.
const adminRole = 5

var roleNames = map[int64]string{2: "maintain", 4: "write", adminRole: "admin"}

// allowedActor reports whether a ruleset's bypass actor is one of
// bypass_actors. Teams and users are compared by id, read from GitHub only
// when a ruleset names one of that type.
func (r *reader) allowedActor(a rulesetBypassActor, s *settings.Settings) (bool, error) {
	id := int64(0)
	if a.ActorID != nil {
		id = *a.ActorID
	}
	for _, b := range s.BypassActors {
		if b.Type != a.ActorType {
			continue
		}
		switch b.Type {
		case "OrganizationAdmin", "DeployKey":
			return true, nil
		case "Integration", "RepositoryRole":
			if b.ID == id {
				return true, nil
			}
		case "Team", "User":
			got, err := r.actorID(b)
			if err != nil {
				return false, err
			}
			if got == id {
				return true, nil
			}
		}
	}
	return false, nil
}

// actorID reads the id of a team or user of bypass_actors.
func (r *reader) actorID(b settings.Actor) (int64, error) {
	if b.Type == "Team" {
		org, slug, _ := strings.Cut(b.Name, "/")
		t, _, err := r.client.Teams.GetTeamBySlug(r.ctx, org, slug)
		if err != nil {
			return 0, fmt.Errorf("bypass_actors: reading team %s: %w", b.Name, ghclient.Explain(err))
		}
		return t.GetID(), nil
	}
	u, _, err := r.client.Users.Get(r.ctx, b.Name)
	if err != nil {
		return 0, fmt.Errorf("bypass_actors: reading user %s: %w", b.Name, ghclient.Explain(err))
	}
	return u.GetID(), nil
}

// showActor names a bypass actor the way the ruleset settings page does,
// with the bypass_actors spelling that would allow it.
func (r *reader) showActor(a rulesetBypassActor) string {
	id := int64(0)
	if a.ActorID != nil {
		id = *a.ActorID
	}
	mode := ""
	if a.BypassMode == "pull_request" {
		mode = ", on pull requests"
	}
	switch a.ActorType {
	case "OrganizationAdmin":
		return "organization admins (org-admins" + mode + ")"
	case "DeployKey":
		return "deploy keys (deploy-keys" + mode + ")"
	case "RepositoryRole":
		if name, ok := roleNames[id]; ok {
			return fmt.Sprintf("repository role %s (role:%d%s)", name, id, mode)
		}
		return fmt.Sprintf("repository role %d (role:%d%s)", id, id, mode)
	case "Integration":
		return fmt.Sprintf("app %d (app:%d%s)", id, id, mode)
	case "User":
		if u, _, err := r.client.Users.GetByID(r.ctx, id); err == nil {
			return fmt.Sprintf("user %s (user:%s%s)", u.GetLogin(), u.GetLogin(), mode)
		}
	}
	return fmt.Sprintf("%s %d%s", strings.ToLower(a.ActorType), id, mode)
}
