package policy

import (
	"testing"
	"time"
)

// The content key changes with every request attribute and with nothing
// else; the login's case and the spelling of the duration do not matter.
func TestContentKey(t *testing.T) {
	base := func() *Elevation {
		return &Elevation{PolicyID: "oncall", Principal: "mona", Scope: "github:team:acme/oncall", Reason: "pager storm on payments",
			Duration: time.Hour, Ticket: "INC-1", ID: "elev-1", Status: StatusActive, GrantedAt: "2026-03-01T10:00:00Z"}
	}
	key := ContentKey(base())
	if len(key) != 64 {
		t.Fatalf("key %q", key)
	}
	change := map[string]func(*Elevation){
		"policy_id":   func(e *Elevation) { e.PolicyID = "admins" },
		"principal":   func(e *Elevation) { e.Principal = "carol" },
		"scope":       func(e *Elevation) { e.Scope = "github:team:acme/oncall:maintainer" },
		"reason":      func(e *Elevation) { e.Reason += "." },
		"duration":    func(e *Elevation) { e.Duration = 2 * time.Hour },
		"ticket":      func(e *Elevation) { e.Ticket = "INC-2" },
		"break_glass": func(e *Elevation) { e.BreakGlass = true },
	}
	for _, a := range RequestAttributes {
		mod, ok := change[a]
		if !ok {
			t.Errorf("request attribute %s: the test does not change it", a)
			continue
		}
		e := base()
		mod(e)
		if ContentKey(e) == key {
			t.Errorf("changing %s keeps the key", a)
		}
	}
	same := base()
	same.Principal, same.Duration = "Mona", 60*time.Minute
	same.ID, same.Status, same.GrantedAt, same.History = "elev-2", StatusExpired, "", []Event{{Event: EventGranted}}
	if ContentKey(same) != key {
		t.Error("the key depends on more than the request")
	}
	// Fields cannot run into each other.
	a, b := base(), base()
	a.Reason, a.Ticket = "x", "y z"
	b.Reason, b.Ticket = "x y", "z"
	if ContentKey(a) == ContentKey(b) {
		t.Error("reason and ticket run into each other")
	}
}
