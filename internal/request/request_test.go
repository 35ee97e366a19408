package request

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
)

const modulePolicy = `
resource "jit_optout_policy" "payments" {
  name               = "payments-admin"
  scopes             = ["github:repo:acme/payments:admin", "github:team:acme/*"]
  max_duration       = "4h"
  required_approvals = 2
  approvers          = ["bob", "carol", "alice", "team:acme/sre-leads"]
  reason {
    min_length     = 10
    ticket_pattern = "^OPS-[0-9]+$"
  }
  break_glass {
    enabled            = true
    max_duration       = "1h"
    required_approvals = 1
  }
}

variable "approvers" { type = list(string) }

resource "jit_optout_policy" "dynamic" {
  name               = "dynamic"
  scopes             = ["github:team:acme/oncall"]
  max_duration       = "1h"
  required_approvals = 1
  approvers          = var.approvers
  requesters         = ["team:acme/oncall-rota"]
}
`

var now = time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)

func module(t *testing.T, files map[string]string) *Module {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func valid() Request {
	return Request{Policy: "payments-admin", Principal: "alice", Scope: "github:repo:acme/payments:admin",
		Duration: "2h", Reason: "Rotate the deploy key after INC-7", Ticket: "OPS-12"}
}

func TestPrepareWritesTheBlockThePolicyAllows(t *testing.T) {
	m := module(t, map[string]string{"policies.tf": modulePolicy})
	d, err := Prepare(m, valid(), now)
	if err != nil {
		t.Fatal(err)
	}
	if d.Resource != "alice_acme_payments_admin_20261202" || d.Branch != "jit/alice-acme-payments-admin-20261202" {
		t.Errorf("resource %q, branch %q", d.Resource, d.Branch)
	}
	// The principal's own approval never counts, so she is not asked.
	if strings.Join(d.Reviewers, ",") != "bob,carol" || strings.Join(d.TeamReviewers, ",") != "acme/sre-leads" || d.Approvals != 2 {
		t.Errorf("reviewers %v, teams %v, approvals %d", d.Reviewers, d.TeamReviewers, d.Approvals)
	}
	for _, want := range []string{`policy_id = jit_optout_policy.payments.id`, `principal = "alice"`, `ticket    = "OPS-12"`} {
		if !strings.Contains(string(d.HCL), want) {
			t.Errorf("block lacks %q:\n%s", want, d.HCL)
		}
	}
	if err := d.Write(); err != nil {
		t.Fatal(err)
	}
	// A second request of the same day gets a name of its own.
	m2, err := Load(m.Dir)
	if err != nil {
		t.Fatal(err)
	}
	d2, err := Prepare(m2, valid(), now)
	if err != nil {
		t.Fatal(err)
	}
	if d2.Resource != d.Resource+"_2" {
		t.Errorf("second request named %q", d2.Resource)
	}
}

func TestPrepareRefusesWhatTheProviderWouldRefuse(t *testing.T) {
	m := module(t, map[string]string{"policies.tf": modulePolicy})
	for name, tc := range map[string]struct {
		edit func(*Request)
		rule string // "" for malformed input
		want string
	}{
		"too long":             {func(r *Request) { r.Duration = "5h" }, policy.RuleDuration, "max_duration 4h"},
		"break-glass too long": {func(r *Request) { r.BreakGlass = true }, policy.RuleDuration, "break_glass.max_duration 1h"},
		"scope not allowed":    {func(r *Request) { r.Scope = "github:repo:acme/api:admin" }, policy.RuleScope, "not allowed"},
		"short reason":         {func(r *Request) { r.Reason = "because" }, policy.RuleReason, "min_length 10"},
		"ticket pattern":       {func(r *Request) { r.Ticket = "JIRA-1" }, policy.RuleReason, "ticket_pattern"},
		"over the ceiling":     {func(r *Request) { r.Duration = "200h" }, "", "ceiling"},
		"wildcard scope":       {func(r *Request) { r.Scope = "github:team:acme/*" }, "", "concrete"},
		"not a login":          {func(r *Request) { r.Principal = "-x" }, "", "not a GitHub login"},
		"ticket with spaces":   {func(r *Request) { r.Ticket = "OPS 1" }, "", "without spaces"},
		"unknown policy":       {func(r *Request) { r.Policy = "nope" }, "", `"dynamic", "payments-admin"`},
	} {
		t.Run(name, func(t *testing.T) {
			req := valid()
			tc.edit(&req)
			_, err := Prepare(m, req, now)
			var refused *Refused
			switch {
			case err == nil:
				t.Fatal("accepted")
			case tc.rule != "" && (!errors.As(err, &refused) || refused.Findings[0].Rule != tc.rule):
				t.Fatalf("want %s, got %v", tc.rule, err)
			case tc.rule == "" && errors.As(err, &refused):
				t.Fatalf("malformed input reported as a policy finding: %v", err)
			case !strings.Contains(err.Error(), tc.want):
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
}

// A policy whose approvers come from a variable cannot be fully checked
// from the files: the request is written, and what was not checked is said.
func TestPrepareLeavesToTheGateWhatTheFilesDoNotSay(t *testing.T) {
	m := module(t, map[string]string{"policies.tf": modulePolicy})
	d, err := Prepare(m, Request{Policy: "dynamic", Principal: "dave", Scope: "github:team:acme/oncall",
		Duration: "30m", Reason: "Paged for the checkout outage"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Unchecked) != 1 || d.Unchecked[0].Rule != policy.RuleRequester {
		t.Errorf("unchecked %+v, want the requester check left to the gate", d.Unchecked)
	}
	if len(d.Reviewers)+len(d.TeamReviewers) != 0 {
		t.Errorf("reviewers from an unknown approvers list: %v %v", d.Reviewers, d.TeamReviewers)
	}
}

// Text from an issue form is data: quotes, newlines and template sequences
// stay inside the string, so the block holds exactly what was asked.
func TestPrepareKeepsRequesterTextAString(t *testing.T) {
	m := module(t, map[string]string{"policies.tf": modulePolicy})
	req := valid()
	req.Reason = "x\" \n  principal = \"mallory\" ${file(\"/etc/passwd\")} %{ if true }"
	d, err := Prepare(m, req, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Write(); err != nil {
		t.Fatal(err)
	}
	m2, err := Load(m.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(m2.Elevations) != 1 {
		t.Fatalf("elevations %v", m2.Elevations)
	}
	got := readAttr(t, d.File, "reason")
	if got != req.Reason {
		t.Errorf("reason reads back as %q, want %q", got, req.Reason)
	}
	if p := readAttr(t, d.File, "principal"); p != "alice" {
		t.Errorf("principal reads back as %q", p)
	}
}

// fakeRepo serves acme/infra, with a GitHub App that may write contents
// and pull requests; members says whether the approvers can see it.
func fakeRepo(t *testing.T, members bool) (*githubfake.Fake, *github.Client) {
	t.Helper()
	f := githubfake.New()
	t.Cleanup(f.Server().Close)
	f.AddOrg("acme")
	for _, u := range []string{"alice", "bob", "carol"} {
		f.AddUser(u)
		if members {
			f.SetOrgMember("acme", u, "member")
		}
	}
	f.AddRepo("acme", "infra")
	f.AddTeam("acme", "sre-leads")
	if members {
		f.SetCollaborator("acme", "infra", "bob", "push")
		f.SetCollaborator("acme", "infra", "carol", "pull")
		f.SetTeamRepoPermission("acme", "sre-leads", "acme", "infra", "pull")
	}
	f.PushCommit("acme", "infra", githubfake.RepoCommit{Message: "policies", Files: map[string]string{"access/policies.tf": modulePolicy}, Branch: "main"})
	f.AddInstallationToken("app-token", githubfake.Installation{App: "jit-requests", Account: "acme",
		Permissions: map[string]string{"contents": "write", "pull_requests": "write"}})
	client, err := ghclient.New(ghclient.Config{Token: "app-token", BaseURL: f.URL()})
	if err != nil {
		t.Fatal(err)
	}
	return f, client
}

func TestOpenProposesThroughTheAPI(t *testing.T) {
	f, client := fakeRepo(t, true)
	m := module(t, map[string]string{"policies.tf": modulePolicy})
	d, err := Prepare(m, valid(), now)
	if err != nil {
		t.Fatal(err)
	}
	f.ResetCalls()
	opened, err := d.Open(context.Background(), client, "acme", "infra", "access", "Requested in #3")
	if err != nil {
		t.Fatal(err)
	}
	if n := f.TotalCalls(); n != 6 {
		t.Errorf("%d API calls, want 6 (repository, ref, new ref, file, pull request, reviewers): %v", n, f.AllCalls())
	}
	pr, _, err := client.PullRequests.Get(context.Background(), "acme", "infra", opened.Number)
	if err != nil {
		t.Fatal(err)
	}
	var users, teams []string
	for _, u := range pr.RequestedReviewers {
		users = append(users, u.GetLogin())
	}
	for _, tm := range pr.RequestedTeams {
		teams = append(teams, tm.GetSlug())
	}
	if strings.Join(users, ",") != "bob,carol" || strings.Join(teams, ",") != "sre-leads" {
		t.Errorf("reviews requested from %v and teams %v", users, teams)
	}
	if pr.GetUser().GetLogin() != "jit-requests[bot]" || pr.GetHead().GetRef() != d.Branch || pr.GetBase().GetRef() != "main" {
		t.Errorf("pull request by %s from %s into %s", pr.GetUser().GetLogin(), pr.GetHead().GetRef(), pr.GetBase().GetRef())
	}
	files, _, err := client.PullRequests.ListFiles(context.Background(), "acme", "infra", opened.Number, nil)
	if err != nil || len(files) != 1 || files[0].GetFilename() != "access/elevation_alice_acme_payments_admin_20261202.tf" {
		t.Errorf("files %v, %v", files, err)
	}
	content, _, _, err := client.Repositories.GetContents(context.Background(), "acme", "infra", files[0].GetFilename(), &github.RepositoryContentGetOptions{Ref: d.Branch})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := content.GetContent(); s != string(d.HCL) {
		t.Errorf("committed file differs from the draft:\n%s", s)
	}
}

// GitHub will not ask a reviewer without access to the repository; the
// pull request stays open and the error says so, naming the approvers.
func TestOpenSaysWhichReviewsCouldNotBeRequested(t *testing.T) {
	_, client := fakeRepo(t, false)
	m := module(t, map[string]string{"policies.tf": modulePolicy})
	d, err := Prepare(m, valid(), now)
	if err != nil {
		t.Fatal(err)
	}
	opened, err := d.Open(context.Background(), client, "acme", "infra", ".", "")
	if opened == nil || err == nil || !strings.Contains(err.Error(), "is open, but requesting reviews from bob, carol, team:acme/sre-leads failed") ||
		!strings.Contains(err.Error(), "not a collaborator") {
		t.Fatalf("opened %v, error %v", opened, err)
	}
}

// readAttr reads a string attribute of the file's jit_elevation as
// Terraform would: parsed, then evaluated without any variables.
func readAttr(t *testing.T, file, name string) string {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	f, diags := hclsyntax.ParseConfig(src, file, hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, b := range f.Body.(*hclsyntax.Body).Blocks {
		if a, ok := b.Body.Attributes[name]; ok && b.Labels[0] == elevationType {
			v, diags := a.Expr.Value(nil)
			if diags.HasErrors() {
				t.Fatalf("%s does not evaluate on its own: %s", name, diags)
			}
			return v.AsString()
		}
	}
	t.Fatalf("no %s in %s", name, file)
	return ""
}

func TestFromIssueReadsTheFormAndNothingElse(t *testing.T) {
	event := func(login, typ, body string) string {
		b, _ := json.Marshal(map[string]any{"issue": map[string]any{"number": 7, "body": body, "user": map[string]string{"login": login, "type": typ}}})
		p := filepath.Join(t.TempDir(), "event.json")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	form := "### Policy\n\npayments-admin\n\n### Scope\n\ngithub:repo:acme/payments:admin\n\n### Duration\n\n2h\n\n" +
		"### Reason\n\nRotate the deploy key\nafter INC-7\n\n### Ticket\n\n_No response_\n\n### Break-glass\n\n- [X] This is an emergency\n"
	req, n, err := FromIssue(event("alice", "User", form))
	if err != nil {
		t.Fatal(err)
	}
	want := Request{Policy: "payments-admin", Principal: "alice", Scope: "github:repo:acme/payments:admin", Duration: "2h",
		Reason: "Rotate the deploy key\nafter INC-7", BreakGlass: true}
	if req != want || n != 7 {
		t.Errorf("got %+v (#%d), want %+v", req, n, want)
	}
	// A reason that smuggles in a second Scope section is not a scope.
	smuggled := strings.Replace(form, "after INC-7", "### Scope\n\ngithub:repo:acme/payments:admin", 1)
	smuggled = strings.Replace(smuggled, "github:repo:acme/payments:admin\n\n### Duration", "github:repo:acme/api:admin\n\n### Duration", 1)
	if _, _, err := FromIssue(event("alice", "User", smuggled)); err == nil || !strings.Contains(err.Error(), "does not fill in Scope") {
		t.Errorf("a doubled section: %v", err)
	}
	if _, _, err := FromIssue(event("renovate[bot]", "Bot", form)); err == nil || !strings.Contains(err.Error(), "only a person") {
		t.Errorf("a bot's issue: %v", err)
	}
}
