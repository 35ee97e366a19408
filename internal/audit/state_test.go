package audit

import (
	"strings"
	"testing"
)

// A state as `terraform show -json` writes it, trimmed to what matters: a
// root elevation, a policy, and an elevation two modules down.
const stateJSON = `{
  "format_version": "1.0",
  "terraform_version": "1.8.5",
  "values": {
    "root_module": {
      "resources": [
        {"address": "jit_optout_policy.oncall", "mode": "managed", "type": "jit_optout_policy", "name": "oncall",
         "values": {"id": "oncall", "name": "oncall"}},
        {"address": "jit_elevation.mona", "mode": "managed", "type": "jit_elevation", "name": "mona",
         "values": {"id": "elev-1", "policy_id": "oncall", "principal": "mona", "scope": "github:team:acme/oncall",
                    "reason": "pager storm on payments, secondary", "duration": "2h", "ticket": null, "break_glass": false,
                    "status": "expired", "granted_at": "2026-03-01T10:00:00Z", "expires_at": "2026-03-01T12:00:00Z",
                    "revoked_at": "2026-03-01T12:17:00Z", "previous_access": "none", "granted_by_commit": "abc",
                    "history": [{"at": "2026-03-01T10:00:00Z", "event": "granted", "detail": "granted github:team:acme/oncall to mona (previously none)"},
                                {"at": "2026-03-01T12:17:00Z", "event": "expired", "detail": "expired at 2026-03-01T12:00:00Z; restored to none"}]}}
      ],
      "child_modules": [{
        "address": "module.a",
        "child_modules": [{
          "address": "module.a.module.b",
          "resources": [
            {"address": "module.a.module.b.jit_elevation.x[\"k\"]", "mode": "managed", "type": "jit_elevation", "name": "x", "index": "k",
             "values": {"id": "elev-2", "principal": "carol", "scope": "github:repo:acme/api:admin", "break_glass": true,
                        "status": "active", "granted_at": "2026-03-02T08:00:00Z", "expires_at": "2026-03-02T09:00:00Z",
                        "revoked_at": null, "granted_by_commit": null, "history": null}},
            {"address": "module.a.module.b.data.jit_elevation.y", "mode": "data", "type": "jit_elevation", "name": "y", "values": {}}
          ]
        }]
      }]
    }
  }
}`

func TestReadState(t *testing.T) {
	grants, err := ReadState(strings.NewReader(stateJSON))
	if err != nil {
		t.Fatal(err)
	}
	if len(grants) != 2 {
		t.Fatalf("%d grants: %+v", len(grants), grants)
	}
	mona, carol := grants[0], grants[1] // oldest grant first
	if mona.Address != "jit_elevation.mona" || mona.ID != "elev-1" || mona.Status != "expired" || mona.RevokedAt != "2026-03-01T12:17:00Z" ||
		mona.Ticket != "" || mona.GrantedByCommit != "abc" || len(mona.History) != 2 || mona.History[1].Event != "expired" {
		t.Errorf("mona = %+v", mona)
	}
	if carol.Address != `module.a.module.b.jit_elevation.x["k"]` || !carol.BreakGlass || carol.RevokedAt != "" ||
		carol.GrantedByCommit != "" || carol.History == nil || carol.Approvers == nil {
		t.Errorf("carol = %+v", carol)
	}

	for name, doc := range map[string]string{
		"empty state": `{"format_version":"1.0"}`,
		"no modules":  `{"format_version":"1.0","values":{"root_module":{}}}`,
	} {
		if grants, err := ReadState(strings.NewReader(doc)); err != nil || len(grants) != 0 {
			t.Errorf("%s: %v, %v", name, grants, err)
		}
	}
	for name, doc := range map[string]string{
		"plan":          `{"format_version":"1.2","planned_values":{"root_module":{}},"resource_changes":[]}`,
		"no version":    `{"values":{"root_module":{}}}`,
		"version 2":     `{"format_version":"2.0","values":{"root_module":{}}}`,
		"malformed":     `{"format_version":"1.0","values":`,
		"trailing data": `{"format_version":"1.0"} {}`,
		"bad values":    `{"format_version":"1.0","values":{"root_module":{"resources":[{"address":"jit_elevation.a","mode":"managed","type":"jit_elevation","values":{"history":"x"}}]}}}`,
	} {
		if _, err := ReadState(strings.NewReader(doc)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
