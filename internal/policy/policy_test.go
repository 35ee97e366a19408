package policy

import (
	"slices"
	"testing"
	"time"
)

// sample is a policy with every threshold set, as the gate's tests use it.
func sample(mods ...func(*Policy)) *Policy {
	p := &Policy{
		ID: "admins", Name: "admins",
		Scopes:              []string{"github:repo:acme/*:admin", "github:team:acme/ops"},
		MaxDuration:         4 * time.Hour,
		RequiredApprovals:   1,
		Approvers:           []string{"bob", "team:acme/sec"},
		Reason:              Reason{MinLength: 20},
		BreakGlass:          BreakGlass{Enabled: true, MaxDuration: time.Hour, RequiredApprovals: 0, ReviewWithin: 24 * time.Hour},
		GovernanceApprovals: 1,
	}
	for _, m := range mods {
		m(p)
	}
	return p
}

func ptr[T any](v T) *T { return &v }

// Defaults are applied once, here: a missing number never lowers a bar.
func TestNewDefaults(t *testing.T) {
	base := Config{ID: "p", Name: "p", MaxDuration: ptr(4 * time.Hour), RequiredApprovals: ptr(2)}
	tests := []struct {
		name   string
		config func(*Config)
		want   func(*Policy)
	}{
		{"no reason block: min_length 20; no governance: required_approvals", func(*Config) {}, func(p *Policy) {}},
		{"reason block without min_length", func(c *Config) { c.Reason = &ReasonConfig{Pattern: "OPS-"} },
			func(p *Policy) { p.Reason.Pattern = "OPS-" }},
		{"governance set", func(c *Config) { c.GovernanceApprovals = ptr(3) }, func(p *Policy) { p.GovernanceApprovals = 3 }},
		{"enabled break_glass with null limits falls back to the policy's", func(c *Config) {
			c.BreakGlass = &BreakGlassConfig{Enabled: ptr(true)}
		}, func(p *Policy) {
			p.BreakGlass = BreakGlass{Enabled: true, MaxDuration: 4 * time.Hour, RequiredApprovals: 2}
		}},
		{"enabled break_glass with its own limits, even zero approvals", func(c *Config) {
			c.BreakGlass = &BreakGlassConfig{Enabled: ptr(true), MaxDuration: ptr(time.Hour), RequiredApprovals: ptr(0), ReviewWithin: ptr(time.Hour)}
		}, func(p *Policy) {
			p.BreakGlass = BreakGlass{Enabled: true, MaxDuration: time.Hour, ReviewWithin: time.Hour}
		}},
		{"disabled break_glass keeps what is written", func(c *Config) {
			c.BreakGlass = &BreakGlassConfig{Enabled: ptr(false), MaxDuration: ptr(time.Hour)}
		}, func(p *Policy) { p.BreakGlass = BreakGlass{MaxDuration: time.Hour} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			tt.config(&c)
			want := &Policy{ID: "p", Name: "p", MaxDuration: 4 * time.Hour, RequiredApprovals: 2, GovernanceApprovals: 2, Reason: Reason{MinLength: 20}}
			tt.want(want)
			if got := New(c); !equal(got, want) {
				t.Errorf("New = %+v\nwant %+v", *got, *want)
			}
		})
	}
}

func equal(a, b *Policy) bool {
	return a.Fingerprint() == b.Fingerprint() && a.ID == b.ID && a.Name == b.Name
}

// States hold fingerprints computed by earlier releases: the encoding must
// not change, or every policy would show a version bump. The values are
// what the provider's own thresholds type hashed before this package.
func TestFingerprintIsStable(t *testing.T) {
	full := &Policy{
		Scopes: []string{"github:team:acme/ops", "github:repo:acme/*:admin"}, MaxDuration: 4 * time.Hour, RequiredApprovals: 2,
		Approvers: []string{"team:acme/sec", "bob"}, Reason: Reason{MinLength: 20, Pattern: "OPS-[0-9]+"},
		MaxActivePerPrincipal: 1, BreakGlass: BreakGlass{Enabled: true, MaxDuration: time.Hour, ReviewWithin: 24 * time.Hour},
		GovernanceApprovals: 3, Standing: map[string]string{"root": "sealed"}, Exclusive: true,
		ID: "not hashed", Observed: map[string][]string{"x": {"y"}}, Unknown: []string{"observed"},
	}
	minimal := &Policy{Scopes: []string{"github:team:acme/ops"}, MaxDuration: time.Hour, RequiredApprovals: 1, Approvers: []string{"bob"},
		Reason: Reason{MinLength: 20}, GovernanceApprovals: 1}
	for name, tc := range map[string]struct {
		p    *Policy
		want string
	}{
		"full":    {full, "4d28f707a3cbe202aa080a5ebd94166916248391748593ef6cb4d2867e808b25"},
		"minimal": {minimal, "c92a506f28649d87742dc97d9695d9d926c23423be36b6c5319bbc829fc1070b"},
	} {
		if got := tc.p.Fingerprint(); got != tc.want {
			t.Errorf("%s: fingerprint %s, want %s", name, got, tc.want)
		}
	}
	if a, b := sample().Fingerprint(), sample(func(p *Policy) { p.MaxDuration++ }).Fingerprint(); a == b {
		t.Error("a changed threshold kept its fingerprint")
	}
}

func TestLoosened(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Policy)
		want []string
	}{
		{"unchanged", func(*Policy) {}, nil},
		{"tightened", func(p *Policy) {
			p.MaxDuration, p.RequiredApprovals, p.Approvers = time.Hour, 2, []string{"BOB"}
			p.Scopes = []string{"github:repo:acme/api:admin"}
			p.Requesters, p.Reason.MinLength, p.Reason.Pattern = []string{"alice"}, 30, "x"
			p.MaxActivePerPrincipal, p.BreakGlass = 1, BreakGlass{}
			p.GovernanceApprovals, p.Exclusive = 2, true
		}, nil},
		{"max_duration", func(p *Policy) { p.MaxDuration = 8 * time.Hour }, []string{"max_duration"}},
		{"required_approvals", func(p *Policy) { p.RequiredApprovals = 0 }, []string{"required_approvals"}},
		{"approvers", func(p *Policy) { p.Approvers = []string{"bob", "team:acme/all"} }, []string{"approvers"}},
		{"scopes added", func(p *Policy) { p.Scopes = append(p.Scopes, "github:repo:other/x:pull") }, []string{"scopes"}},
		{"scopes widened", func(p *Policy) { p.Scopes = []string{"github:repo:acme/*:*"} }, []string{"scopes"}},
		{"scopes same in another case", func(p *Policy) { p.Scopes = []string{"github:repo:ACME/*:admin", "github:team:acme/OPS"} }, nil},
		{"reason", func(p *Policy) { p.Reason = Reason{MinLength: 5} }, []string{"reason.min_length"}},
		{"governance_approvals", func(p *Policy) { p.GovernanceApprovals = 0 }, []string{"governance_approvals"}},
		{"standing", func(p *Policy) { p.Standing = map[string]string{"zed": "owner"} }, []string{"standing"}},
		{"break_glass limits", func(p *Policy) {
			p.BreakGlass.MaxDuration, p.BreakGlass.ReviewWithin = 2*time.Hour, 0
		}, []string{"break_glass.max_duration", "break_glass.review_within"}},
		{"unknown attribute", func(p *Policy) { p.Unknown = []string{"approvers"} }, []string{"approvers"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := sample(tt.mod)
			if got := Loosened(sample(), a); !slices.Equal(got, append([]string{}, tt.want...)) {
				t.Errorf("loosened = %v, want %v", got, tt.want)
			}
		})
	}
	b := sample(func(p *Policy) {
		p.Requesters, p.Reason = []string{"alice"}, Reason{MinLength: 20, Pattern: "x", TicketRequired: true, TicketPattern: "y"}
		p.MaxActivePerPrincipal, p.BreakGlass, p.Exclusive = 2, BreakGlass{}, true
	})
	a := sample(func(p *Policy) { p.Reason.MinLength = 20 })
	want := []string{"break_glass.enabled", "exclusive", "max_active_per_principal", "reason.pattern", "reason.ticket_pattern", "reason.ticket_required", "requesters"}
	if got := Loosened(b, a); !slices.Equal(got, want) {
		t.Errorf("loosened = %v, want %v", got, want)
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		2 * time.Hour: "2h", 90 * time.Minute: "1h30m", 45 * time.Minute: "45m", 90 * time.Second: "1m30s", 0: "0s",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
