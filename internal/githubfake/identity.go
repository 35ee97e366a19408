package githubfake

import (
	"maps"
	"net/http"
	"slices"
	"strings"
)

// identity is who a token acts as: a user (a classic personal access token
// with every scope, so the user's own roles decide), or an installation of a
// GitHub App, whose permission set decides and whose bot is the author of
// what it writes.
type identity struct {
	acct *account      // the user, or the installation's bot
	inst *installation // nil for a user
}

// installation is a GitHub App installed on an org or user account, or the
// Actions GITHUB_TOKEN of one workflow run.
type installation struct {
	id      int64
	app     string   // the app's slug; its bot is "<app>[bot]"
	bot     *account //
	account *account // the org or user the app is installed on
	repos   []string // lower repository names under account; nil: all of them
	perms   map[string]string
	actions bool // GITHUB_TOKEN: one repository, the workflow's permissions
}

// Installation describes a GitHub App installation for AddInstallationToken.
type Installation struct {
	// App is the app's slug; it writes as the bot "<App>[bot]", which is
	// created if missing and shared by every token of the app.
	App string `json:"app"`
	// Account is the org (or user) the app is installed on.
	Account string `json:"account"`
	// Repositories limits the installation to these repositories of
	// Account (names without the owner); empty means all of them.
	Repositories []string `json:"repositories,omitempty"`
	// Permissions uses GitHub App permission names and levels ("members":
	// "write", "administration": "write", "pull_requests": "read",
	// "issues": "write", "contents": "read", "organization_administration":
	// "read", ...). Metadata read is implied, as on GitHub.
	Permissions map[string]string `json:"permissions,omitempty"`
}

// ActionsBot is the bot every workflow's GITHUB_TOKEN writes as.
const ActionsBot = "github-actions[bot]"

// workflowPermissions maps the keys of a workflow's `permissions:` to the
// GitHub App permissions of its GITHUB_TOKEN.
var workflowPermissions = map[string]string{
	"actions":             "actions",
	"attestations":        "attestations",
	"checks":              "checks",
	"contents":            "contents",
	"deployments":         "deployments",
	"discussions":         "discussions",
	"id-token":            "id_token",
	"issues":              "issues",
	"models":              "models",
	"packages":            "packages",
	"pages":               "pages",
	"pull-requests":       "pull_requests",
	"repository-projects": "repository_projects",
	"security-events":     "security_events",
	"statuses":            "statuses",
}

var accessRank = map[string]int{"read": 1, "write": 2, "admin": 3}

// AddToken makes token authenticate as login, a user or bot that must exist,
// acting with that account's own roles. Requests send it as
// "Authorization: Bearer <token>" or "Authorization: token <token>".
func (f *Fake) AddToken(token, login string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens[token] = &identity{acct: f.mustAccount(login)}
}

// AddInstallationToken makes token a GitHub App installation token. Tokens
// of the same app and account share the installation (and its rate limit).
func (f *Fake) AddInstallationToken(token string, in Installation) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if in.App == "" {
		fail("installation without an app")
	}
	acct := f.account(in.Account)
	if acct == nil {
		fail("unknown account %q", in.Account)
	}
	for name, level := range in.Permissions {
		if accessRank[level] == 0 {
			fail("permission %s=%q is not read, write or admin", name, level)
		}
	}
	var repos []string
	for _, name := range in.Repositories {
		f.mustRepo(in.Account, name)
		repos = append(repos, lower(name))
	}
	inst := f.installation(in.App, acct, repos, maps.Clone(in.Permissions), false)
	f.tokens[token] = &identity{acct: inst.bot, inst: inst}
}

// AddActionsToken makes token the GITHUB_TOKEN of a workflow run in
// owner/repo whose `permissions:` block is permissions (keys as in the
// workflow, "pull-requests": "write"; levels read, write or none). It
// writes as github-actions[bot], like every workflow's token, and reaches
// only its own repository.
func (f *Fake) AddActionsToken(token, owner, repo string, permissions map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.mustRepo(owner, repo)
	perms := map[string]string{}
	for key, level := range permissions {
		name, ok := workflowPermissions[key]
		if !ok {
			fail("%q is not a workflow permission", key)
		}
		switch level {
		case "none":
		case "read", "write":
			perms[name] = level
		default:
			fail("workflow permission %s: %q is not read, write or none", key, level)
		}
	}
	inst := f.installation("github-actions", r.owner, []string{lower(r.name)}, perms, true)
	f.tokens[token] = &identity{acct: inst.bot, inst: inst}
}

// installation returns a new installation of app on acct. Actions tokens get
// one each (every run has its own permissions); other apps share one per
// account.
func (f *Fake) installation(app string, acct *account, repos []string, perms map[string]string, actions bool) *installation {
	botLogin := app + "[bot]"
	bot := f.account(botLogin)
	if bot == nil {
		bot = f.addAccount(botLogin, "Bot")
	}
	if !actions {
		for _, id := range f.tokens {
			if in := id.inst; in != nil && !in.actions && in.app == app && in.account == acct {
				in.repos, in.perms = repos, perms
				return in
			}
		}
	}
	return &installation{id: f.newID(), app: app, bot: bot, account: acct, repos: repos, perms: perms, actions: actions}
}

func (f *Fake) authenticate(r *http.Request) (*identity, string) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok {
		return nil, "Requires authentication"
	}
	if !strings.EqualFold(scheme, "bearer") && !strings.EqualFold(scheme, "token") {
		return nil, "Bad credentials"
	}
	if id := f.tokens[strings.TrimSpace(token)]; id != nil {
		return id, ""
	}
	return nil, "Bad credentials"
}

// has reports whether the installation holds permission name at level.
func (in *installation) has(name, level string) bool {
	if name == "metadata" && level == "read" {
		return true
	}
	return accessRank[in.perms[name]] >= accessRank[level]
}

// hasAny reports whether the installation holds one of the alternatives,
// each "name=level".
func (in *installation) hasAny(alternatives []string) bool {
	return slices.ContainsFunc(alternatives, func(alt string) bool {
		name, level, _ := strings.Cut(alt, "=")
		return in.has(name, level)
	})
}

// reaches reports whether the installation is installed on r.
func (in *installation) reaches(r *repo) bool {
	return in.account == r.owner && (in.repos == nil || slices.Contains(in.repos, lower(r.name)))
}

// reachesOrg reports whether the installation is installed on o, and not
// just on one of its repositories as GITHUB_TOKEN is.
func (in *installation) reachesOrg(o *org) bool {
	return in.account == o.acct && !in.actions
}
