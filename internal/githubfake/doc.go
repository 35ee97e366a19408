// Package githubfake is a stateful, in-process fake of the parts of the GitHub
// REST API that the JIT provider, the PR gate and the demo use: users, orgs,
// teams and team memberships, repositories, collaborators and invitations,
// pull requests with their commits and reviews, issues and issue comments.
//
// It aims to behave like real GitHub as seen through go-github v60: the same
// JSON shapes, status codes, pagination Link headers, rate-limit headers and
// error bodies, so that code tested against it behaves the same against
// api.github.com. Tests seed state through the Go API (New, AddUser, AddOrg,
// ...), point a client at URL(), and can inject faults (InjectFault) and count
// calls per route (Calls).
//
// Logins, org names, team slugs and repository names are case-insensitive, as
// on GitHub; responses use the spelling given when the entity was created.
//
// Deliberate simplifications, so that tests need not model GitHub's
// authorization rules: any known token may call any endpoint (except that only
// a comment's author may edit or delete it), all repositories are private and
// visible to every token, and nested teams are not modelled.
//
// Seeding methods panic when they reference an entity that does not exist: a
// test that seeds inconsistent state has a bug, and a panic shows where.
//
// The same fake can be served standalone (cmd/fake-github); the admin
// endpoints under /_fake/ expose the seeding API over HTTP for that case.
package githubfake
