// Package githubfake is a stateful, in-process fake of the parts of the GitHub
// REST API that the JIT provider, the PR gate and the demo use: users, orgs,
// teams (nested) and team memberships, org invitations, repositories,
// collaborators and invitations, repository contents, commits, branches and
// refs and trees, repository activity (who pushed what to which branch),
// pull requests (from forks too) with their commits, files and reviews,
// branch rulesets, classic branch protection, environments with their
// deployment branch policies, issues and issue comments.
//
// It aims to behave like real GitHub as seen through go-github v60: the same
// JSON shapes (every field GitHub's API description requires: the
// conformance test in ./conformance checks each recorded exchange against
// @octokit/openapi), status codes and messages, pagination Link headers,
// rate-limit headers and error bodies, so that code tested against it
// behaves the same against api.github.com. It serves the same API under
// /api/v3/ (EnterpriseURL), as GitHub Enterprise Server does. Tests seed
// state through the Go API (New, AddUser, AddOrg, ...), point a client at
// URL(), and can inject faults (InjectFault) and count calls per route
// (Calls).
//
// Who may do what follows GitHub. A token is a user's (AddToken: a classic
// token with every scope, so the user's roles decide: org owners may do
// anything in the org, team maintainers manage their team, repository access
// comes from collaboration, teams, parent teams and the base role), a GitHub
// App installation's (AddInstallationToken: its permission set decides,
// X-Accepted-GitHub-Permissions names what the endpoint accepts, and a 403
// says "Resource not accessible by integration"), or a workflow's
// GITHUB_TOKEN (AddActionsToken: the workflow's `permissions:`, its own
// repository only). Installations write as their bot, which tokens of the
// same app share: every workflow writes as github-actions[bot]. Rate limits
// are GitHub's: a primary budget per user or installation whose last request
// answers X-RateLimit-Remaining: 0, and secondary limits on content-creating
// requests of 80 a minute and 500 an hour, answered without Retry-After.
// Repository and org invitations expire after 7 days; expired repository
// invitations stay listed with expired: true. Users have numeric IDs and can
// be renamed, and a freed login can be taken by a new account. Time comes
// from a Clock (WithClock), which tests share with the client to run in
// virtual time.
//
// Deliberate simplifications: every repository is private; the fake has no
// public org members, no custom repository roles, no team synchronization or
// secret teams; GitHub Apps are modelled by their installation tokens only
// (no app JWTs, no token exchange); the contents API serves files of any
// size inline; rulesets are the repository's own (no organization or
// enterprise rulesets) and target branches; merges record no activity; and
// where GitHub's documentation does not give an error
// message (a non-maintainer changing a team), the message is the fake's own.
//
// Logins, org names, team slugs and repository names are case-insensitive, as
// on GitHub; responses use the spelling given when the entity was created.
//
// Seeding methods panic when they reference an entity that does not exist: a
// test that seeds inconsistent state has a bug, and a panic shows where.
//
// The same fake can be served standalone (cmd/fake-github); the admin
// endpoints under /_fake/ expose the seeding API over HTTP for that case.
// With RecordDirEnv set, every fake records its exchanges for the
// conformance test.
package githubfake
