package revoke

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/clock"
	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
	"github.com/jitgate/terraform-provider-jit/internal/lifecycle"
	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/target/ghtarget"
)

// benchWorld is org acme with 5 teams and n org members, behind a fake
// GitHub that keeps GitHub's rate limits, in virtual time shared with the
// client: pacing writes under the secondary limits (80 a minute) takes no
// real time, and is reported as the wait it would be.
type benchWorld struct {
	f  *githubfake.Fake
	vc *clock.Virtual
	tg *ghtarget.Target
}

func newBenchWorld(b *testing.B, n int, granted bool) *benchWorld {
	b.Helper()
	vc := clock.NewVirtual(t0)
	f := githubfake.New(githubfake.WithClock(vc))
	b.Cleanup(f.Close)
	f.AddUser("owner")
	f.AddToken(token, "owner")
	f.AddOrg("acme")
	f.SetOrgMember("acme", "owner", "admin")
	for i := range 5 {
		f.AddTeam("acme", fmt.Sprintf("team%d", i))
	}
	for i := range n {
		login := fmt.Sprintf("user%03d", i)
		f.AddUser(login)
		f.SetOrgMember("acme", login, "member")
		if granted {
			f.SetTeamMembership("acme", fmt.Sprintf("team%d", i%5), login, "member", "active")
		}
	}
	c, err := ghclient.New(ghclient.Config{Token: token, BaseURL: f.URL(), Clock: vc})
	if err != nil {
		b.Fatal(err)
	}
	return &benchWorld{f: f, vc: vc, tg: ghtarget.New(c)}
}

func (w *benchWorld) report(b *testing.B, n, runs int, calls, writes int, waited time.Duration) {
	b.ReportMetric(float64(calls)/float64(runs), "calls/op")
	b.ReportMetric(float64(writes)/float64(runs), "writes/op")
	b.ReportMetric(float64(calls)/float64(runs*n), "calls/elevation")
	b.ReportMetric(waited.Minutes()/float64(runs), "paced-min/op")
}

func writesOf(f *githubfake.Fake) int {
	n := 0
	for route, c := range f.AllCalls() {
		if !strings.HasPrefix(route, "GET ") {
			n += c
		}
	}
	return n
}

// BenchmarkRevoke: jit-gate revoke of 1, 50 and 200 expired elevations
// over 5 teams, from a fresh process (no snapshot loaded).
func BenchmarkRevoke(b *testing.B) {
	for _, n := range []int{1, 50, 200} {
		b.Run(fmt.Sprintf("expired=%d", n), func(b *testing.B) {
			calls, writes := 0, 0
			var waited time.Duration
			runs := 0
			for b.Loop() {
				b.StopTimer()
				w := newBenchWorld(b, n, true)
				els := make([]plan.StateElevation, n)
				for i := range n {
					login := fmt.Sprintf("user%03d", i)
					els[i] = plan.StateElevation{Address: fmt.Sprintf("jit_elevation.t[%d]", i), Elevation: policy.Elevation{
						ID: fmt.Sprintf("elev-%d", i), Principal: login, PrincipalID: w.f.UserID(login), Scope: fmt.Sprintf("github:team:acme/team%d", i%5),
						Status: policy.StatusActive, GrantedAt: stamp(t0), ExpiresAt: stamp(t0.Add(time.Hour)), PreviousAccess: "none",
					}}
				}
				w.vc.Advance(2 * time.Hour)
				w.f.ResetCalls()
				b.StartTimer()
				out := Run(context.Background(), w.tg, els, Options{Clock: w.vc})
				b.StopTimer()
				for _, o := range out {
					if o.Result != Revoked {
						b.Fatalf("%s: %s %s", o.Address, o.Result, o.Detail)
					}
				}
				calls, writes, waited, runs = calls+w.f.TotalCalls(), writes+writesOf(w.f), waited+w.vc.Slept(), runs+1
				b.StartTimer()
			}
			b.StopTimer()
			(&benchWorld{}).report(b, n, runs, calls, writes, waited)
		})
	}
}

// BenchmarkGrant: the provider's grant (lifecycle.GrantAccess, 10 at a
// time as Terraform applies) of 1, 50 and 200 elevations over 5 teams to
// org members not yet on them.
func BenchmarkGrant(b *testing.B) {
	for _, n := range []int{1, 50, 200} {
		b.Run(fmt.Sprintf("elevations=%d", n), func(b *testing.B) {
			calls, writes := 0, 0
			var waited time.Duration
			runs := 0
			for b.Loop() {
				b.StopTimer()
				w := newBenchWorld(b, n, false)
				w.f.ResetCalls()
				b.StartTimer()
				sem := make(chan struct{}, 10)
				var wg sync.WaitGroup
				for i := range n {
					sem <- struct{}{}
					wg.Go(func() {
						defer func() { <-sem }()
						el := &policy.Elevation{Principal: fmt.Sprintf("user%03d", i), Scope: fmt.Sprintf("github:team:acme/team%d", i%5)}
						if _, err := lifecycle.GrantAccess(context.Background(), w.tg, el, w.vc.Now()); err != nil {
							b.Error(err)
						}
					})
				}
				wg.Wait()
				b.StopTimer()
				calls, writes, waited, runs = calls+w.f.TotalCalls(), writes+writesOf(w.f), waited+w.vc.Slept(), runs+1
				b.StartTimer()
			}
			b.StopTimer()
			(&benchWorld{}).report(b, n, runs, calls, writes, waited)
		})
	}
}
