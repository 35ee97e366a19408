package githubfake

import (
	"cmp"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// What protects a repository's branches and deployments: branch rulesets,
// classic branch protection and environments with their deployment branch
// policies. Only repository-level rulesets are modelled (no organization or
// enterprise rulesets), and rulesets target branches only.

type repoSettings struct {
	rulesets     []*ruleset                   // by ID
	protection   map[string]*BranchProtection // by branch name
	environments map[string]*environment      // by lower name
}

type ruleset struct {
	id int64
	Ruleset
}

type environment struct {
	id int64
	Environment
}

// Ruleset is a repository's branch ruleset, for AddRuleset.
type Ruleset struct {
	Name string `json:"name"`
	// Enforcement is active (the default), evaluate or disabled; only
	// active rulesets' rules apply.
	Enforcement string `json:"enforcement,omitempty"`
	// Include and Exclude are the ref name condition: "~DEFAULT_BRANCH",
	// "~ALL" or refs/heads/ patterns ("*" within a segment, "**" across).
	Include      []string      `json:"include,omitempty"`
	Exclude      []string      `json:"exclude,omitempty"`
	BypassActors []BypassActor `json:"bypass_actors,omitempty"`
	Rules        []Rule        `json:"rules,omitempty"`
}

// BypassActor may bypass a ruleset's rules.
type BypassActor struct {
	// ActorID is the team, user, app (integration) or repository role id;
	// 0 renders as null, as for DeployKey.
	ActorID int64 `json:"actor_id,omitempty"`
	// ActorType is Integration, OrganizationAdmin, RepositoryRole, Team,
	// DeployKey or User.
	ActorType string `json:"actor_type"`
	// BypassMode is always (the default), pull_request or exempt.
	BypassMode string `json:"bypass_mode,omitempty"`
}

// Rule is one rule of a ruleset; Parameters are as GitHub's API takes and
// returns them.
type Rule struct {
	Type       string         `json:"type"`
	Parameters map[string]any `json:"parameters,omitempty"`
}

// ruleParams lists the rule types of branch rulesets and the parameters
// GitHub requires for each (nil: the rule takes none).
var ruleParams = map[string][]string{
	"creation":                nil,
	"deletion":                nil,
	"non_fast_forward":        nil,
	"required_linear_history": nil,
	"required_signatures":     nil,
	"update":                  {"update_allows_fetch_and_merge"},
	"pull_request": {"dismiss_stale_reviews_on_push", "require_code_owner_review", "require_last_push_approval",
		"required_approving_review_count", "required_review_thread_resolution"},
	"required_status_checks": {"required_status_checks", "strict_required_status_checks_policy"},
	"workflows":              {"workflows"},
	"required_deployments":   {"required_deployment_environments"},
	"merge_queue": {"check_response_timeout_minutes", "grouping_strategy", "max_entries_to_build", "max_entries_to_merge",
		"merge_method", "min_entries_to_merge", "min_entries_to_merge_wait_minutes"},
}

var actorTypes = []string{"Integration", "OrganizationAdmin", "RepositoryRole", "Team", "DeployKey", "User"}

// AddRuleset adds a branch ruleset to a repository and returns its ID. Rules
// missing a parameter GitHub requires are refused, as GitHub refuses them.
func (f *Fake) AddRuleset(owner, name string, rs Ruleset) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.addRuleset(f.mustRepo(owner, name), rs)
}

func (f *Fake) addRuleset(r *repo, rs Ruleset) int64 {
	if rs.Name == "" {
		fail("ruleset without a name")
	}
	rs.Enforcement = cmp.Or(rs.Enforcement, "active")
	if !slices.Contains([]string{"active", "evaluate", "disabled"}, rs.Enforcement) {
		fail("ruleset enforcement %q is not active, evaluate or disabled", rs.Enforcement)
	}
	for _, p := range append(slices.Clone(rs.Include), rs.Exclude...) {
		if p != "~DEFAULT_BRANCH" && p != "~ALL" && !strings.HasPrefix(p, "refs/heads/") {
			fail("ruleset ref pattern %q is not ~DEFAULT_BRANCH, ~ALL or refs/heads/...", p)
		}
	}
	for i, a := range rs.BypassActors {
		if !slices.Contains(actorTypes, a.ActorType) {
			fail("bypass actor type %q is not one of %v", a.ActorType, actorTypes)
		}
		rs.BypassActors[i].BypassMode = cmp.Or(a.BypassMode, "always")
	}
	for _, rule := range rs.Rules {
		required, ok := ruleParams[rule.Type]
		if !ok {
			fail("rule type %q is not a branch rule", rule.Type)
		}
		for _, p := range required {
			if _, ok := rule.Parameters[p]; !ok {
				fail("rule %s needs the parameter %s", rule.Type, p)
			}
		}
	}
	id := f.newID()
	r.settings.rulesets = append(r.settings.rulesets, &ruleset{id: id, Ruleset: rs})
	return id
}

// RemoveRuleset deletes a ruleset.
func (f *Fake) RemoveRuleset(owner, name string, id int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.mustRepo(owner, name)
	n := len(r.settings.rulesets)
	r.settings.rulesets = slices.DeleteFunc(r.settings.rulesets, func(rs *ruleset) bool { return rs.id == id })
	if len(r.settings.rulesets) == n {
		fail("%s/%s has no ruleset %d", owner, name, id)
	}
}

// applies reports whether the ruleset's conditions match a branch.
func (rs *ruleset) applies(r *repo, branch string) bool {
	match := func(patterns []string) bool {
		return slices.ContainsFunc(patterns, func(p string) bool {
			switch p {
			case "~ALL":
				return true
			case "~DEFAULT_BRANCH":
				return branch == r.git.defaultBranch
			}
			ok, _ := doublestar.Match(p, "refs/heads/"+branch)
			return ok
		})
	}
	return match(rs.Include) && !match(rs.Exclude)
}

// BranchProtection is a branch's classic protection, for
// SetBranchProtection.
type BranchProtection struct {
	RequiredChecks []RequiredCheck `json:"required_checks,omitempty"`
	StrictChecks   bool            `json:"strict_checks,omitempty"`
	// Reviews, if set, requires pull request reviews.
	Reviews          *RequiredReviews `json:"reviews,omitempty"`
	EnforceAdmins    bool             `json:"enforce_admins,omitempty"`
	AllowForcePushes bool             `json:"allow_force_pushes,omitempty"`
	AllowDeletions   bool             `json:"allow_deletions,omitempty"`
}

// RequiredCheck is a required status check; AppID 0 accepts it from any
// source.
type RequiredCheck struct {
	Context string `json:"context"`
	AppID   int64  `json:"app_id,omitempty"`
}

// RequiredReviews are a protected branch's pull request review settings.
type RequiredReviews struct {
	Count        int  `json:"count"`
	DismissStale bool `json:"dismiss_stale,omitempty"`
	CodeOwners   bool `json:"code_owners,omitempty"`
	LastPush     bool `json:"last_push,omitempty"`
	// BypassUsers (logins) and BypassTeams (slugs of the repository's
	// org) may merge without the reviews.
	BypassUsers []string `json:"bypass_users,omitempty"`
	BypassTeams []string `json:"bypass_teams,omitempty"`
}

// SetBranchProtection protects an existing branch; nil removes the
// protection.
func (f *Fake) SetBranchProtection(owner, name, branch string, p *BranchProtection) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.mustRepo(owner, name)
	if _, ok := r.git.branches[branch]; !ok {
		fail("%s/%s has no branch %q to protect", owner, name, branch)
	}
	if r.settings.protection == nil {
		r.settings.protection = map[string]*BranchProtection{}
	}
	if p == nil {
		delete(r.settings.protection, branch)
		return
	}
	if p.Reviews != nil {
		for _, login := range p.Reviews.BypassUsers {
			f.mustAccount(login)
		}
		for _, slug := range p.Reviews.BypassTeams {
			if r.org == nil {
				fail("%s/%s is not an org's repository: no teams", owner, name)
			}
			f.mustTeam(r.org.acct.login, slug)
		}
	}
	cp := *p
	r.settings.protection[branch] = &cp
}

// Environment is a deployment environment, for SetEnvironment.
type Environment struct {
	Name string `json:"name"`
	// Branches says which branches may deploy: "" all of them,
	// "protected" protected branches only, "custom" those matching
	// BranchPolicies.
	Branches       string         `json:"branches,omitempty"`
	BranchPolicies []BranchPolicy `json:"branch_policies,omitempty"`
	// Reviewers (logins) must approve each job that uses the environment.
	Reviewers []string `json:"reviewers,omitempty"`
}

// BranchPolicy is a custom deployment branch or tag policy.
type BranchPolicy struct {
	Name string `json:"name"`           // a name pattern
	Type string `json:"type,omitempty"` // branch (the default) or tag
}

// SetEnvironment creates or replaces an environment.
func (f *Fake) SetEnvironment(owner, name string, env Environment) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setEnvironment(f.mustRepo(owner, name), env)
}

func (f *Fake) setEnvironment(r *repo, env Environment) {
	if env.Name == "" {
		fail("environment without a name")
	}
	switch env.Branches {
	case "", "protected":
		if len(env.BranchPolicies) > 0 {
			fail("environment %s: branch policies need Branches \"custom\"", env.Name)
		}
	case "custom":
	default:
		fail("environment %s: Branches %q is not \"\", protected or custom", env.Name, env.Branches)
	}
	env.BranchPolicies = slices.Clone(env.BranchPolicies)
	for i, p := range env.BranchPolicies {
		env.BranchPolicies[i].Type = cmp.Or(p.Type, "branch")
		if t := env.BranchPolicies[i].Type; t != "branch" && t != "tag" {
			fail("branch policy type %q is not branch or tag", t)
		}
	}
	for _, login := range env.Reviewers {
		f.mustAccount(login)
	}
	if r.settings.environments == nil {
		r.settings.environments = map[string]*environment{}
	}
	id := f.newID()
	if old := r.settings.environments[lower(env.Name)]; old != nil {
		id = old.id
	}
	r.settings.environments[lower(env.Name)] = &environment{id: id, Environment: env}
}

// loadSettings applies a seed's rulesets, protections and environments.
func (f *Fake) loadSettings(sr SeedRepo) {
	for _, rs := range sr.Rulesets {
		f.AddRuleset(sr.Owner, sr.Name, rs)
	}
	for _, b := range slices.Sorted(maps.Keys(sr.Protection)) {
		f.SetBranchProtection(sr.Owner, sr.Name, b, sr.Protection[b])
	}
	for _, env := range sr.Environments {
		f.SetEnvironment(sr.Owner, sr.Name, env)
	}
}

func (f *Fake) snapshotSettings(r *repo, sr *SeedRepo) {
	for _, rs := range r.settings.rulesets {
		sr.Rulesets = append(sr.Rulesets, rs.Ruleset)
	}
	if len(r.settings.protection) > 0 {
		sr.Protection = maps.Clone(r.settings.protection)
	}
	for _, k := range slices.Sorted(maps.Keys(r.settings.environments)) {
		sr.Environments = append(sr.Environments, r.settings.environments[k].Environment)
	}
}

// Handlers.

// mayEditRulesets: GitHub shows a ruleset's bypass actors only to those who
// may edit it, repository admins and installations with administration
// write.
func (c *call) mayEditRulesets(r *repo) bool {
	if in := c.id.inst; in != nil {
		return in.has("administration", "write")
	}
	return c.f.effective(r, c.viewer) == "admin"
}

func (f *Fake) getBranchRules(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	branch := c.params["branch"]
	type detailed struct {
		rs   *ruleset
		rule Rule
	}
	var rules []detailed
	for _, rs := range r.settings.rulesets {
		if rs.Enforcement == "active" && rs.applies(r, branch) {
			for _, rule := range rs.Rules {
				rules = append(rules, detailed{rs, rule})
			}
		}
	}
	writePage(c, rules, func(d detailed) any {
		o := ruleObj(d.rule)
		o["ruleset_source_type"] = "Repository"
		o["ruleset_source"] = r.fullName()
		o["ruleset_id"] = d.rs.id
		return o
	})
}

func ruleObj(rule Rule) obj {
	o := obj{"type": rule.Type}
	if rule.Parameters != nil {
		o["parameters"] = rule.Parameters
	}
	return o
}

func (f *Fake) listRulesets(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	writePage(c, r.settings.rulesets, func(rs *ruleset) any { return c.rulesetObj(r, rs, false) })
}

func (f *Fake) getRuleset(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	id, ok := c.intParam("ruleset_id")
	if !ok {
		return
	}
	i := slices.IndexFunc(r.settings.rulesets, func(rs *ruleset) bool { return rs.id == id })
	if i < 0 {
		writeNotFound(c.w)
		return
	}
	c.json(http.StatusOK, c.rulesetObj(r, r.settings.rulesets[i], true))
}

// rulesetObj is a repository-ruleset: in a list without its rules and
// conditions, as GitHub lists them.
func (c *call) rulesetObj(r *repo, rs *ruleset, full bool) obj {
	self := c.repoURL(r) + fmt.Sprintf("/rulesets/%d", rs.id)
	o := obj{
		"id":          rs.id,
		"node_id":     nodeID("RRS", rs.id),
		"name":        rs.Name,
		"target":      "branch",
		"source_type": "Repository",
		"source":      r.fullName(),
		"enforcement": rs.Enforcement,
		"_links":      obj{"self": link(self), "html": link(fmt.Sprintf("%s%s/%s/rules/%d", webURL, esc(r.owner.login), esc(r.name), rs.id))},
		"created_at":  ts(r.created),
		"updated_at":  ts(r.created),
	}
	if !full {
		return o
	}
	rules := []obj{}
	for _, rule := range rs.Rules {
		rules = append(rules, ruleObj(rule))
	}
	o["rules"] = rules
	o["conditions"] = obj{"ref_name": obj{"include": nonNil(rs.Include), "exclude": nonNil(rs.Exclude)}}
	if c.mayEditRulesets(r) {
		actors := []obj{}
		for _, a := range rs.BypassActors {
			var id any
			if a.ActorID != 0 {
				id = a.ActorID
			}
			actors = append(actors, obj{"actor_id": id, "actor_type": a.ActorType, "bypass_mode": a.BypassMode})
		}
		o["bypass_actors"] = actors
	}
	return o
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// getBranchProtection answers, as GitHub does, 404 "Branch not protected"
// for a branch without classic protection, and hides the protection (404)
// from users who are not repository admins.
func (f *Fake) getBranchProtection(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	if c.id.inst == nil && f.effective(r, c.viewer) != "admin" {
		writeNotFound(c.w)
		return
	}
	branch := c.params["branch"]
	if _, ok := r.git.branches[branch]; !ok {
		writeError(c.w, http.StatusNotFound, "Branch not found")
		return
	}
	p := r.settings.protection[branch]
	if p == nil {
		writeError(c.w, http.StatusNotFound, "Branch not protected")
		return
	}
	u := c.repoURL(r) + "/branches/" + escPath(branch) + "/protection"
	enabled := func(on bool) obj { return obj{"enabled": on} }
	o := obj{
		"url":                              u,
		"enforce_admins":                   obj{"url": u + "/enforce_admins", "enabled": p.EnforceAdmins},
		"required_linear_history":          enabled(false),
		"allow_force_pushes":               enabled(p.AllowForcePushes),
		"allow_deletions":                  enabled(p.AllowDeletions),
		"block_creations":                  enabled(false),
		"required_conversation_resolution": enabled(false),
		"lock_branch":                      enabled(false),
		"allow_fork_syncing":               enabled(false),
		"required_signatures":              obj{"url": u + "/required_signatures", "enabled": false},
	}
	if len(p.RequiredChecks) > 0 {
		contexts, checks := []string{}, []obj{}
		for _, rc := range p.RequiredChecks {
			var app any
			if rc.AppID != 0 {
				app = rc.AppID
			}
			contexts = append(contexts, rc.Context)
			checks = append(checks, obj{"context": rc.Context, "app_id": app})
		}
		o["required_status_checks"] = obj{
			"url": u + "/required_status_checks", "strict": p.StrictChecks, "contexts": contexts, "checks": checks,
			"contexts_url": u + "/required_status_checks/contexts",
		}
	}
	if rv := p.Reviews; rv != nil {
		users, teams := []obj{}, []obj{}
		for _, login := range rv.BypassUsers {
			users = append(users, c.userObj(f.account(login)))
		}
		for _, slug := range rv.BypassTeams {
			teams = append(teams, c.teamObj(r.org.teams[lower(slug)]))
		}
		o["required_pull_request_reviews"] = obj{
			"url":                             u + "/required_pull_request_reviews",
			"dismiss_stale_reviews":           rv.DismissStale,
			"require_code_owner_reviews":      rv.CodeOwners,
			"required_approving_review_count": rv.Count,
			"require_last_push_approval":      rv.LastPush,
			"bypass_pull_request_allowances":  obj{"users": users, "teams": teams, "apps": []obj{}},
		}
	}
	c.json(http.StatusOK, o)
}

// protected reports whether a branch has classic protection or an active
// ruleset, as the branch endpoint's "protected" says.
func (r *repo) protected(branch string) bool {
	if r.settings.protection[branch] != nil {
		return true
	}
	return slices.ContainsFunc(r.settings.rulesets, func(rs *ruleset) bool { return rs.Enforcement == "active" && rs.applies(r, branch) })
}

func (f *Fake) sortedEnvironments(r *repo) []*environment {
	envs := slices.Collect(maps.Values(r.settings.environments))
	return byID(envs, func(e *environment) int64 { return e.id })
}

// listEnvironments answers {total_count, environments}, paginated.
func (f *Fake) listEnvironments(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	envs := f.sortedEnvironments(r)
	start, end := c.paginate(len(envs))
	out := []obj{}
	for _, e := range envs[start:end] {
		out = append(out, c.environmentObj(r, e))
	}
	c.json(http.StatusOK, obj{"total_count": len(envs), "environments": out})
}

func (c *call) environmentObj(r *repo, e *environment) obj {
	rules := []obj{}
	if len(e.Reviewers) > 0 {
		reviewers := []obj{}
		for _, login := range e.Reviewers {
			reviewers = append(reviewers, obj{"type": "User", "reviewer": c.userObj(c.f.account(login))})
		}
		rules = append(rules, obj{"id": e.id + 1, "node_id": nodeID("GA", e.id+1), "type": "required_reviewers", "prevent_self_review": true, "reviewers": reviewers})
	}
	var policy any
	if e.Branches != "" {
		rules = append(rules, obj{"id": e.id + 2, "node_id": nodeID("GA", e.id+2), "type": "branch_policy"})
		policy = obj{"protected_branches": e.Branches == "protected", "custom_branch_policies": e.Branches == "custom"}
	}
	return obj{
		"id":                       e.id,
		"node_id":                  nodeID("EN", e.id),
		"name":                     e.Name,
		"url":                      c.repoURL(r) + "/environments/" + esc(e.Name),
		"html_url":                 webURL + esc(r.owner.login) + "/" + esc(r.name) + "/deployments/activity_log?environments_filter=" + esc(e.Name),
		"created_at":               ts(r.created),
		"updated_at":               ts(r.created),
		"protection_rules":         rules,
		"deployment_branch_policy": policy,
	}
}

// listDeploymentBranchPolicies answers {total_count, branch_policies},
// paginated; an environment without custom policies has none.
func (f *Fake) listDeploymentBranchPolicies(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	e := r.settings.environments[lower(c.params["environment_name"])]
	if e == nil {
		writeNotFound(c.w)
		return
	}
	start, end := c.paginate(len(e.BranchPolicies))
	out := []obj{}
	for i, p := range e.BranchPolicies[start:end] {
		id := e.id*1000 + int64(start+i)
		out = append(out, obj{"id": id, "node_id": nodeID("DBP", id), "name": p.Name, "type": p.Type})
	}
	c.json(http.StatusOK, obj{"total_count": len(e.BranchPolicies), "branch_policies": out})
}

// getTree lists a commit's tree, the whole of it with recursive set (to any
// value, as GitHub takes it). tree_sha may be the tree's SHA, its commit's
// or a branch name.
func (f *Fake) getTree(c *call) {
	r := c.lookupRepo()
	if r == nil {
		return
	}
	if len(r.git.commits) == 0 {
		writeError(c.w, http.StatusConflict, "Git Repository is empty.")
		return
	}
	want := c.params["tree_sha"]
	gc := r.git.resolve(want)
	for _, cm := range r.git.commits {
		if gc == nil && treeSHA(cm.sha) == lower(want) {
			gc = cm
		}
	}
	if gc == nil || want == "" {
		writeNotFound(c.w)
		return
	}
	recursive := c.r.URL.Query().Has("recursive")
	dirs := map[string]bool{}
	var entries []obj
	for _, p := range slices.Sorted(maps.Keys(gc.tree)) {
		parts := strings.Split(p, "/")
		if !recursive && len(parts) > 1 {
			dirs[parts[0]] = true
			continue
		}
		for i := 1; i < len(parts); i++ {
			dirs[strings.Join(parts[:i], "/")] = true
		}
		sha := blobSHA(gc.tree[p])
		entries = append(entries, obj{"path": p, "mode": "100644", "type": "blob", "sha": sha, "size": len(gc.tree[p]), "url": c.repoURL(r) + "/git/blobs/" + sha})
	}
	for d := range dirs {
		sha := hashHex("dir", gc.sha, d)
		entries = append(entries, obj{"path": d, "mode": "040000", "type": "tree", "sha": sha, "url": c.repoURL(r) + "/git/trees/" + sha})
	}
	slices.SortFunc(entries, func(a, b obj) int { return cmp.Compare(a["path"].(string), b["path"].(string)) })
	tree := treeSHA(gc.sha)
	c.json(http.StatusOK, obj{"sha": tree, "url": c.repoURL(r) + "/git/trees/" + tree, "truncated": false, "tree": entries})
}
