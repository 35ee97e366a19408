package doctor

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/doctor/doctortest"
	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
)

// repoSetup is the repository on the fake GitHub; each test breaks one thing.
type repoSetup struct{ *doctortest.Setup }

func good(t *testing.T) *repoSetup {
	t.Helper()
	s, err := doctortest.Good("../../examples/workflows")
	if err != nil {
		t.Fatal(err)
	}
	return &repoSetup{s}
}

// serve seeds a fake GitHub with the setup and returns a client with the
// doctor's token.
func (s *repoSetup) serve(t *testing.T) (*githubfake.Fake, *github.Client) {
	t.Helper()
	f := githubfake.New()
	t.Cleanup(f.Close)
	s.Load(f)
	c, err := ghclient.New(ghclient.Config{Token: doctortest.Token, BaseURL: f.URL(), MaxRetries: -1, MinWait: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return f, c
}

func (s *repoSetup) run(t *testing.T) (Result, *githubfake.Fake, error) {
	t.Helper()
	f, c := s.serve(t)
	res, err := Run(context.Background(), c, Config{Owner: "acme", Repo: "infra"})
	return res, f, err
}

func TestGoodRepository(t *testing.T) {
	res, f, err := good(t).run(t)
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := Text(&text, res); err != nil {
		t.Fatal(err)
	}
	if res.Verdict != VerdictPass || len(res.Failing()) != 0 {
		t.Fatalf("a well set up repository fails:\n%s", text.String())
	}
	want := []string{PointPullRequest, PointDismissStale, PointLastPush, PointCodeOwners, PointRequiredCheck, PointForcePush, PointDeletion,
		PointBypass, PointMergeQueue, PointOwnersFile, PointOwnersTrust, PointOwnersTF, PointApplyEnv, PointScheduledEnv, PointPinned}
	var got []string
	for _, p := range res.Points {
		got = append(got, p.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("points = %v, want %v", got, want)
	}
	t.Logf("doctor on a well set up repository:\n%s", text.String())
	// 1 repository, 1 branch, 1 settings, 1 rules, 1 ruleset, 1 classic
	// protection, 1 tree, 1 CODEOWNERS, 1 environments, 2 branch policies,
	// and one read per workflow and local action.
	workflows := 0
	for p := range good(t).Files {
		if workflowFile(p) {
			workflows++
		}
	}
	if got, want := f.TotalCalls(), 11+workflows; got != want {
		t.Errorf("%d API calls, want %d: %v", got, want, f.AllCalls())
	}
}

// Each weakness, alone, fails its own point (and only it) with a fix.
func TestEachWeaknessReported(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(*repoSetup)
		points []string
		fix    string // in the first failing point's fix
	}{
		{"no approval required", func(s *repoSetup) {
			s.Rulesets[0].Rules[0] = doctortest.PullRequestRule(map[string]any{"required_approving_review_count": 0})
		},
			[]string{PointPullRequest}, `"Required approvals" to at least 1`},
		{"stale approvals kept", func(s *repoSetup) {
			s.Rulesets[0].Rules[0] = doctortest.PullRequestRule(map[string]any{"dismiss_stale_reviews_on_push": false})
		},
			[]string{PointDismissStale}, "Dismiss stale pull request approvals when new commits are pushed"},
		{"last push not approved", func(s *repoSetup) {
			s.Rulesets[0].Rules[0] = doctortest.PullRequestRule(map[string]any{"require_last_push_approval": false})
		},
			[]string{PointLastPush}, "Require approval of the most recent reviewable push"},
		{"code owners not required", func(s *repoSetup) {
			s.Rulesets[0].Rules[0] = doctortest.PullRequestRule(map[string]any{"require_code_owner_review": false})
		},
			[]string{PointCodeOwners}, "Require review from Code Owners"},
		{"gate check not required", func(s *repoSetup) { s.Rulesets[0].Rules[1] = doctortest.RequiredCheck("lint", 15368) },
			[]string{PointRequiredCheck}, `add the check "jit-gate" with the source "GitHub Actions"`},
		{"gate check from any source", func(s *repoSetup) { s.Rulesets[0].Rules[1] = doctortest.RequiredCheck("jit-gate", 0) },
			[]string{PointRequiredCheck}, "integration_id 15368"},
		{"force pushes allowed", func(s *repoSetup) { s.Rulesets[0].Rules = slices.Delete(s.Rulesets[0].Rules, 2, 3) },
			[]string{PointForcePush}, `"Block force pushes"`},
		{"deletion allowed", func(s *repoSetup) { s.Rulesets[0].Rules = s.Rulesets[0].Rules[:3] },
			[]string{PointDeletion}, `"Restrict deletions"`},
		{"ruleset only evaluated", func(s *repoSetup) { s.Rulesets[0].Enforcement = "evaluate" },
			[]string{PointPullRequest, PointDismissStale, PointLastPush, PointCodeOwners, PointRequiredCheck, PointForcePush, PointDeletion}, "Enforcement status \"Active\""},
		{"admins bypass", func(s *repoSetup) {
			s.Rulesets[0].BypassActors = []githubfake.BypassActor{{ActorID: 5, ActorType: "RepositoryRole"}}
		}, []string{PointBypass}, "Bypass list"},
		{"merge queue batches", func(s *repoSetup) {
			s.Rulesets[0].Rules = append(s.Rulesets[0].Rules, githubfake.Rule{Type: "merge_queue", Parameters: map[string]any{
				"check_response_timeout_minutes": 60, "grouping_strategy": "ALLGREEN", "max_entries_to_build": 5, "max_entries_to_merge": 5,
				"merge_method": "MERGE", "min_entries_to_merge": 1, "min_entries_to_merge_wait_minutes": 5,
			}})
		}, []string{PointMergeQueue}, `"Maximum pull requests to merge" to 1`},
		{"no CODEOWNERS", func(s *repoSetup) { delete(s.Files, ".github/CODEOWNERS") },
			[]string{PointOwnersFile, PointOwnersTrust, PointOwnersTF}, "/.github/ @acme/sre-leads"},
		{"workflows unowned", func(s *repoSetup) { s.Files[".github/CODEOWNERS"] += "/.github/workflows/\n" },
			[]string{PointOwnersTrust}, `"/.github/workflows/ @acme/sre-leads"`},
		{"a module unowned", func(s *repoSetup) { s.Files[".github/CODEOWNERS"] += "/modules/\n" },
			[]string{PointOwnersTF}, `"/modules/team/ @acme/sre-leads"`},
		{"no apply environment", func(s *repoSetup) { s.Environments = s.Environments[1:] },
			[]string{PointApplyEnv}, `New environment "jit-apply"`},
		{"apply environment open to every branch", func(s *repoSetup) { s.Environments[0] = githubfake.Environment{Name: "jit-apply"} },
			[]string{PointApplyEnv}, `"Selected branches and tags", with the one rule "main"`},
		{"apply environment open to a pattern", func(s *repoSetup) {
			s.Environments[0].BranchPolicies = append(s.Environments[0].BranchPolicies, githubfake.BranchPolicy{Name: "release/*"})
		}, []string{PointApplyEnv}, "Deployment branches and tags"},
		{"scheduled environment open to protected branches", func(s *repoSetup) {
			s.Environments[1] = githubfake.Environment{Name: "jit-scheduled", Branches: "protected"}
		}, []string{PointScheduledEnv}, "Settings → Environments → jit-scheduled"},
		{"an action by tag", func(s *repoSetup) {
			s.Files[".github/workflows/lint.yml"] = "on: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
		}, []string{PointPinned}, "full commit SHA"},
		{"the gate's placeholder left in", func(s *repoSetup) {
			for p, c := range s.Files {
				s.Files[p] = strings.ReplaceAll(c, doctortest.PinnedGate, strings.Repeat("0", 40))
			}
		}, []string{PointPinned}, "full commit SHA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := good(t)
			tt.break_(s)
			res, _, err := s.run(t)
			if err != nil {
				t.Fatal(err)
			}
			var failing []string
			for _, p := range res.Failing() {
				failing = append(failing, p.ID)
			}
			if res.Verdict != VerdictFail || !slices.Equal(failing, tt.points) {
				t.Fatalf("failing points %v (verdict %s), want %v:\n%+v", failing, res.Verdict, tt.points, res.Failing())
			}
			if p := res.Failing()[0]; !strings.Contains(p.Fix, tt.fix) || p.Summary == "" {
				t.Errorf("%s: summary %q, fix %q; want the fix to say %q", p.ID, p.Summary, p.Fix, tt.fix)
			}
		})
	}
}

// A bypass is a weakness only when it bypasses everything that requires
// the point, and never when bypass_actors names whom it lets through.
func TestBypass(t *testing.T) {
	admins := []githubfake.BypassActor{{ActorID: 5, ActorType: "RepositoryRole"}}
	classic := githubfake.BranchProtection{EnforceAdmins: true, RequiredChecks: []githubfake.RequiredCheck{{Context: "jit-gate", AppID: 15368}},
		Reviews: &githubfake.RequiredReviews{Count: 1, DismissStale: true, CodeOwners: true, LastPush: true}}
	tests := []struct {
		name    string
		setup   func(*githubfake.Fake, *doctortest.Setup)
		bypass  bool
		summary string
	}{
		{"a second ruleset without bypass holds", func(_ *githubfake.Fake, s *doctortest.Setup) {
			s.Rulesets[0].BypassActors = admins
			s.Rulesets = append(s.Rulesets, githubfake.Ruleset{Name: "no bypass", Include: []string{"~ALL"}, Rules: s.Rulesets[0].Rules})
		}, false, "nobody outside bypass_actors"},
		{"allowed role", func(_ *githubfake.Fake, s *doctortest.Setup) {
			s.Rulesets[0].BypassActors = admins
			s.Files[".github/jit-gate.yml"] += "bypass_actors: [\"role:5\"]\n"
		}, false, "nobody outside bypass_actors"},
		{"allowed team, compared by id", func(f *githubfake.Fake, s *doctortest.Setup) {
			s.Rulesets[0].BypassActors = []githubfake.BypassActor{{ActorID: f.TeamID("acme", "break-glass"), ActorType: "Team"}}
			s.Files[".github/jit-gate.yml"] += "bypass_actors: [\"team:acme/break-glass\"]\n"
		}, false, "nobody outside bypass_actors"},
		{"another team", func(f *githubfake.Fake, s *doctortest.Setup) {
			s.Rulesets[0].BypassActors = []githubfake.BypassActor{{ActorID: f.TeamID("acme", "sre-leads"), ActorType: "Team"}}
			s.Files[".github/jit-gate.yml"] += "bypass_actors: [\"team:acme/break-glass\"]\n"
		}, true, "may bypass ruleset \"protect main\""},
		{"a user on pull requests", func(f *githubfake.Fake, s *doctortest.Setup) {
			s.Rulesets[0].BypassActors = []githubfake.BypassActor{{ActorID: f.UserID("mallory"), ActorType: "User", BypassMode: "pull_request"}}
		}, true, "user mallory (user:mallory, on pull requests)"},
		{"an app", func(_ *githubfake.Fake, s *doctortest.Setup) {
			s.Rulesets[0].BypassActors = []githubfake.BypassActor{{ActorID: 42, ActorType: "Integration"}}
		}, true, "app 42 (app:42)"},
		{"classic protection, admins enforced", func(_ *githubfake.Fake, s *doctortest.Setup) {
			s.Rulesets, s.Protection = nil, &classic
		}, false, "nobody outside bypass_actors"},
		{"classic protection, admins not enforced", func(_ *githubfake.Fake, s *doctortest.Setup) {
			p := classic
			p.EnforceAdmins = false
			s.Rulesets, s.Protection = nil, &p
		}, true, "repository admins (enforce_admins is off)"},
		{"classic review bypass list", func(_ *githubfake.Fake, s *doctortest.Setup) {
			p, rv := classic, *classic.Reviews
			rv.BypassUsers = []string{"mallory"}
			p.Reviews = &rv
			s.Rulesets, s.Protection = nil, &p
		}, true, "user mallory may bypass classic branch protection, which alone requires branch.pull_request, branch.dismiss_stale, branch.last_push, branch.code_owners"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := good(t)
			s.Late = tt.setup
			_, c := s.serve(t)
			res, err := Run(context.Background(), c, Config{Owner: "acme", Repo: "infra"})
			if err != nil {
				t.Fatal(err)
			}
			var bp Point
			for _, p := range res.Points {
				if p.ID == PointBypass {
					bp = p
				}
			}
			if bp.OK == tt.bypass || !strings.Contains(bp.Summary, tt.summary) {
				t.Errorf("bypass point = %+v, want ok %v mentioning %q", bp, !tt.bypass, tt.summary)
			}
			if failing := res.Failing(); len(failing) != 0 && (!tt.bypass || len(failing) != 1) {
				t.Errorf("other points fail: %+v", failing)
			}
		})
	}
}

// What doctor cannot read is an error naming the permission, never a pass.
func TestMissingPermissionIsAnError(t *testing.T) {
	tests := []struct {
		name  string
		perms map[string]string
		want  string
	}{
		{"bypass lists hidden", map[string]string{"administration": "read", "contents": "read", "actions": "read"},
			"the token needs the GitHub permission administration=write on the repository"},
		{"classic protection", map[string]string{"contents": "read", "actions": "read"},
			"GitHub answered 403 Resource not accessible by integration; the token needs the GitHub permission administration=read"},
		{"environments", map[string]string{"administration": "write", "contents": "read"},
			"listing the environments (a token with Actions: read may)"},
		{"files", map[string]string{"administration": "write", "actions": "read"},
			"the token needs the GitHub permission contents=read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := good(t)
			if tt.name == "classic protection" {
				s.Rulesets = nil // so that the bypass lists are not read first
			}
			s.Permissions = tt.perms
			res, _, err := s.run(t)
			if err == nil || !strings.Contains(err.Error(), tt.want) || res.Verdict != VerdictError {
				t.Errorf("verdict %s, error %v; want it to say %q", res.Verdict, err, tt.want)
			}
		})
	}
}

func TestCodeOwnersPatterns(t *testing.T) {
	rules := parseOwners(`# comment
*                 @acme/everyone
/build/logs/      @doctocat
docs/*            docs@example.com
apps/             @octocat
/scripts/         @doctocat @octocat
**/logs           @octocat
/apps/github
\#notes.txt       @acme/hash # trailing comment
`)
	for path, want := range map[string]string{
		"main.tf":                   "@acme/everyone",
		"build/logs/x.log":          "@octocat", // **/logs comes later
		"docs/getting-started.md":   "docs@example.com",
		"docs/build-app/trouble.md": "@acme/everyone", // docs/* does not reach nested files
		"src/apps/x.go":             "@octocat",
		"apps/github/x.go":          "",
		"apps/other/x.go":           "@octocat",
		"scripts/deploy.sh":         "@doctocat @octocat",
		"deeply/nested/logs/a":      "@octocat",
		"#notes.txt":                "@acme/hash",
	} {
		if got := strings.Join(owners(rules, path), " "); got != want {
			t.Errorf("owners of %s = %q, want %q", path, got, want)
		}
	}
	if got := trustProbes([]string{".github/**", "CODEOWNERS", "**/.terraform.lock.hcl"}); !slices.Equal(got, []string{".github/new", "CODEOWNERS", "new/.terraform.lock.hcl", ".terraform.lock.hcl"}) {
		t.Errorf("probes = %v", got)
	}
}

func TestUnpinned(t *testing.T) {
	for uses, want := range map[string]string{
		"actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683":                  "",
		"./.github/actions/setup":                                                    "",
		"octo/repo/.github/workflows/x.yml@11bd71901bbe5b1630ceea73d27597364c9af683": "",
		"docker://alpine@sha256:" + strings.Repeat("ab", 32):                         "",
		"actions/checkout@v4":                                                        `ref "v4" is a tag or branch, not a commit SHA`,
		"actions/checkout@11bd719":                                                   `ref "11bd719" is a tag or branch, not a commit SHA`,
		"actions/checkout":                                                           "no ref",
		"docker://alpine:3.20":                                                       "an image by tag, not by digest",
		"jitgate/terraform-provider-jit@" + strings.Repeat("0", 40):                  "a placeholder, not a commit",
	} {
		if got := unpinned(uses); got != want {
			t.Errorf("unpinned(%q) = %q, want %q", uses, got, want)
		}
	}
}
