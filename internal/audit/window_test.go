package audit

import (
	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"slices"
	"testing"
	"time"
)

var now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func at(s string) time.Time {
	t, err := ParseTime(s)
	if err != nil {
		panic(err)
	}
	return t
}

// grants on a timeline (all 2026-03):
//
//	expired   mona  oncall      [01 10:00, 01 12:17)   revoked at the apply after expiry
//	revoked   mona  api:push    [02 10:00, 02 11:00)   removed by hand, seen at refresh
//	active    carol api:admin   [10 08:00, 10 14:00)   expires in the future
//	overdue   dave  oncall      [09 08:00, now)        expired, not yet revoked
//	again     erin  oncall      [01 09:00, now)        expired, then found again
func timeline() []Grant {
	return []Grant{
		{Address: "expired", Elevation: policy.Elevation{Principal: "mona", Scope: "github:team:acme/oncall", Status: "expired",
			GrantedAt: "2026-03-01T10:00:00Z", ExpiresAt: "2026-03-01T12:00:00Z", RevokedAt: "2026-03-01T12:17:00Z"}},
		{Address: "revoked", Elevation: policy.Elevation{Principal: "mona", Scope: "github:repo:acme/api:push", Status: "revoked",
			GrantedAt: "2026-03-02T10:00:00Z", ExpiresAt: "2026-03-02T14:00:00Z", RevokedAt: "2026-03-02T11:00:00Z"}},
		{Address: "active", Elevation: policy.Elevation{Principal: "Carol", Scope: "github:repo:acme/api:admin", Status: "active",
			GrantedAt: "2026-03-10T08:00:00Z", ExpiresAt: "2026-03-10T14:00:00Z"}},
		{Address: "overdue", Elevation: policy.Elevation{Principal: "dave", Scope: "github:team:acme/oncall", Status: "active",
			GrantedAt: "2026-03-09T08:00:00Z", ExpiresAt: "2026-03-09T10:00:00Z"}},
		{Address: "again", Elevation: policy.Elevation{Principal: "erin", Scope: "github:team:acme/oncall:maintainer", Status: "expired",
			GrantedAt: "2026-03-01T09:00:00Z", ExpiresAt: "2026-03-01T09:30:00Z"}},
	}
}

func TestHeld(t *testing.T) {
	want := map[string][2]string{
		"expired": {"2026-03-01T10:00:00Z", "2026-03-01T12:17:00Z"},
		"revoked": {"2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z"},
		"active":  {"2026-03-10T08:00:00Z", "2026-03-10T14:00:00Z"},
		"overdue": {"2026-03-09T08:00:00Z", "2026-03-10T12:00:00Z"},
		"again":   {"2026-03-01T09:00:00Z", "2026-03-10T12:00:00Z"},
	}
	for _, g := range timeline() {
		from, until := g.Held(now)
		if got := [2]string{stamp(from), stamp(until)}; got != want[g.Address] {
			t.Errorf("%s: held %v, want %v", g.Address, got, want[g.Address])
		}
	}
	if from, _ := (Grant{Elevation: policy.Elevation{Status: "active"}}).Held(now); !from.IsZero() {
		t.Errorf("no granted_at: from %v, want the beginning of time", from)
	}
}

func TestFilter(t *testing.T) {
	tests := []struct {
		name string
		f    Filter
		want []string
	}{
		{"everything", Filter{}, []string{"expired", "revoked", "active", "overdue", "again"}},
		{"a day", Filter{Since: at("2026-03-01"), Until: at("2026-03-02")}, []string{"expired", "again"}},
		// [since, until) is half-open, as is every held interval.
		{"ends as mona's expiry is revoked", Filter{Since: at("2026-03-01T00:00:00Z"), Until: at("2026-03-01T10:00:00Z")}, []string{"again"}},
		{"starts as mona's grant is revoked", Filter{Since: at("2026-03-01T12:17:00Z"), Until: at("2026-03-01T13:00:00Z")}, []string{"again"}},
		{"one second before", Filter{Since: at("2026-03-01T12:16:59Z"), Until: at("2026-03-01T13:00:00Z")}, []string{"expired", "again"}},
		{"since only", Filter{Since: at("2026-03-09T09:00:00Z")}, []string{"active", "overdue", "again"}},
		{"until only", Filter{Until: at("2026-03-02T10:00:01Z")}, []string{"expired", "revoked", "again"}},
		{"the future", Filter{Since: at("2026-03-10T13:00:00Z")}, []string{"active"}},
		{"principal", Filter{Principal: "CAROL"}, []string{"active"}},
		{"team scope", Filter{Scope: "github:team:acme/oncall"}, []string{"expired", "overdue", "again"}},
		{"maintainer holds member, not the reverse", Filter{Scope: "github:team:acme/oncall:maintainer"}, []string{"again"}},
		{"admin holds push", Filter{Scope: "github:repo:acme/api:push"}, []string{"revoked", "active"}},
		{"wildcards", Filter{Scope: "github:repo:acme/*:*"}, []string{"revoked", "active"}},
		{"who held oncall on the 9th", Filter{Scope: "github:team:acme/oncall", Since: at("2026-03-09"), Until: at("2026-03-10")}, []string{"overdue", "again"}},
	}
	for _, tc := range tests {
		if err := tc.f.Check(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var got []string
		for _, g := range Select(timeline(), tc.f, now) {
			got = append(got, g.Address)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	for _, f := range []Filter{
		{Since: at("2026-03-02"), Until: at("2026-03-02")},
		{Since: at("2026-03-02"), Until: at("2026-03-01")},
		{Scope: "github:team"},
	} {
		if err := f.Check(); err == nil {
			t.Errorf("Check(%+v): no error", f)
		}
	}
	if _, err := ParseTime("yesterday"); err == nil {
		t.Error("ParseTime(yesterday): no error")
	}
	if got := at("2026-03-01T12:00:00+02:00"); stamp(got) != "2026-03-01T10:00:00Z" {
		t.Errorf("offset time = %s", stamp(got))
	}
}
