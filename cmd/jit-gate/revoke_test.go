package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
	"github.com/jitgate/terraform-provider-jit/internal/revoke"
)

// stateJSON is `terraform show -json` of a state holding the given
// jit_elevations, each "address", principal, principal_id, scope and expiry.
func stateJSON(t *testing.T, els ...map[string]any) string {
	t.Helper()
	var resources []map[string]any
	for _, el := range els {
		addr := el["address"].(string)
		delete(el, "address")
		values := map[string]any{
			"id": "elev-" + addr, "policy_id": "ops", "reason": "on call for the incident", "duration": "1h",
			"status": "active", "granted_at": time.Now().UTC().Add(-2 * time.Hour).Format(time.RFC3339),
			"previous_access": "none", "history": []any{},
		}
		for k, v := range el {
			values[k] = v
		}
		resources = append(resources, map[string]any{"address": addr, "mode": "managed", "type": "jit_elevation",
			"name": strings.TrimPrefix(addr, "jit_elevation."), "values": values})
	}
	doc := map[string]any{"format_version": "1.0", "terraform_version": "1.8.5",
		"values": map[string]any{"root_module": map[string]any{"resources": resources}}}
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "state.json", string(data))
}

// revokeWorld is org acme with teams ops and dbs, members alice and bob,
// the provider's token (an owner's) and the gate's (push on acme/infra).
func revokeWorld(t *testing.T) (*githubfake.Fake, map[string]string) {
	t.Helper()
	f, env := fakeGitHub(t)
	f.AddUser("jit-bot")
	f.AddUser("bob")
	f.AddToken("provider-tok", "jit-bot")
	f.SetOrgMember("acme", "jit-bot", "admin")
	for _, u := range []string{"alice", "bob"} {
		f.SetOrgMember("acme", u, "member")
	}
	f.AddTeam("acme", "ops")
	f.AddTeam("acme", "dbs")
	f.SetTeamMembership("acme", "ops", "alice", "member", "active")
	f.SetTeamMembership("acme", "dbs", "bob", "member", "active")
	env["GITHUB_TOKEN"] = "provider-tok"
	return f, env
}

// jit-gate revoke takes expired access away with no plan, reports each
// elevation with its expiry lag, keeps going past a failure and then exits
// 2; jit-gate record --revoked puts what it took away on the audit-log
// issue.
func TestRevokeAndRecord(t *testing.T) {
	f, env := revokeWorld(t)
	expired := time.Now().UTC().Add(-10 * time.Minute).Format(time.RFC3339)
	state := stateJSON(t,
		map[string]any{"address": "jit_elevation.a", "principal": "alice", "principal_id": f.UserID("alice"), "scope": "github:team:acme/ops", "expires_at": expired},
		map[string]any{"address": "jit_elevation.b", "principal": "bob", "principal_id": f.UserID("bob"), "scope": "github:team:acme/dbs", "expires_at": expired},
		map[string]any{"address": "jit_elevation.c", "principal": "bob", "principal_id": f.UserID("bob"), "scope": "github:team:acme/ops",
			"expires_at": time.Now().UTC().Add(time.Hour).Format(time.RFC3339)},
	)
	f.InjectFault(githubfake.Fault{Method: "DELETE", PathPrefix: "/orgs/acme/teams/dbs/", Status: 422, Times: -1})

	dry := gateRun(t, env, "revoke", "--state", state, "--dry-run")
	if dry.code != exitPass || !strings.Contains(dry.stdout, "2 would be revoked (dry run)") {
		t.Fatalf("dry run: exit %d\n%s%s", dry.code, dry.stdout, dry.stderr)
	}
	if _, _, ok := f.TeamMembership("acme", "ops", "alice"); !ok {
		t.Fatal("the dry run removed alice")
	}

	res := gateRun(t, env, "revoke", "--state", state, "--format", "json")
	if res.code != exitError {
		t.Fatalf("exit %d, want 2 for the failed revocation\n%s%s", res.code, res.stdout, res.stderr)
	}
	var out revoke.Result
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, res.stdout)
	}
	got := map[string]string{}
	for _, o := range out.Outcomes {
		got[o.Address] = o.Result
		if o.Address == "jit_elevation.a" {
			if lag, ok := o.Lag(); !ok || lag < 10*time.Minute || lag > 11*time.Minute {
				t.Errorf("a's lag = %v, %v; want about 10m", lag, ok)
			}
		}
	}
	if fmt.Sprint(got) != "map[jit_elevation.a:revoked jit_elevation.b:failed]" {
		t.Errorf("outcomes = %v", got)
	}
	if _, _, ok := f.TeamMembership("acme", "ops", "alice"); ok {
		t.Error("alice is still in ops")
	}
	if _, _, ok := f.TeamMembership("acme", "ops", "bob"); ok {
		t.Error("revoke added bob to ops, where his elevation is in force but holds nothing")
	}

	revoked := writeFile(t, "revoke.json", res.stdout)
	// The expiry job runs on main's head, whose settings name the gate.
	head := strings.Repeat("a", 40)
	f.PushCommit("acme", "infra", githubfake.RepoCommit{SHA: head, Parents: []string{f.Snapshot().Repos[0].Branches["main"]}, Branch: "main"})
	recEnv := map[string]string{"GITHUB_TOKEN": "tok", "GITHUB_API_URL": env["GITHUB_API_URL"], "GITHUB_REPOSITORY": "acme/infra",
		"GITHUB_SHA": head, "JIT_GATE_SEAL_KEY": testKey}
	rec := gateRun(t, recEnv, "record", "--revoked", revoked)
	if rec.code != exitPass {
		t.Fatalf("record: exit %d\n%s%s", rec.code, rec.stdout, rec.stderr)
	}
	issues := f.Issues("acme", "infra")
	if len(issues) != 1 {
		t.Fatalf("issues = %+v, want the audit-log issue", issues)
	}
	comments := f.Comments("acme", "infra", issues[0].Number)
	if len(comments) != 1 || !strings.Contains(comments[0].Body, "jit-gate record: revoked at expiry") ||
		!strings.Contains(comments[0].Body, `| jit\_elevation\.a | alice |`) || strings.Contains(comments[0].Body, `jit\_elevation\.b`) {
		t.Errorf("record comments = %+v, want a's revocation, not the failed b", comments)
	}
	// The lag is in the sealed entry: expires_at and the time it was gone.
	if a := out.Outcomes[0]; !strings.Contains(comments[0].Body, a.ExpiresAt) || !strings.Contains(comments[0].Body, a.GoneAt) {
		t.Errorf("the record lacks a's expiry %s or the time it was gone %s:\n%s", a.ExpiresAt, a.GoneAt, comments[0].Body)
	}

	again := gateRun(t, env, "revoke", "--state", state)
	if again.code != exitError || !strings.Contains(again.stdout, "0 revoked, 1 already gone, 1 failed") {
		t.Errorf("second run: exit %d\n%s", again.code, again.stdout)
	}
}

func TestRevokeRefusesAPlanAndNeedsAToken(t *testing.T) {
	plan := writeFile(t, "plan.json", emptyPlan)
	if res := gateRun(t, map[string]string{"GITHUB_TOKEN": "t"}, "revoke", "--state", plan); res.code != exitError || !strings.Contains(res.stderr, "this is a plan, not a state") {
		t.Errorf("a plan as state: exit %d, stderr %q", res.code, res.stderr)
	}
	state := stateJSON(t)
	if res := gateRun(t, nil, "revoke", "--state", state); res.code != exitError || !strings.Contains(res.stderr, "GITHUB_TOKEN is not set") {
		t.Errorf("no token: exit %d, stderr %q", res.code, res.stderr)
	}
	if res := gateRun(t, map[string]string{"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "acme/infra", "GITHUB_SHA": strings.Repeat("a", 40), "JIT_GATE_SEAL_KEY": testKey},
		"record", "--revoked", plan); res.code != exitError || !strings.Contains(res.stderr, "not the JSON output of jit-gate revoke") {
		t.Errorf("record --revoked of a plan: exit %d, stderr %q", res.code, res.stderr)
	}
}
