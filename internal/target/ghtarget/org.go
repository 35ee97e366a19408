package ghtarget

import (
	"context"
	"fmt"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
)

// orgFacts is what an organization's repositories share: its base role
// and who owns it. A user account has none.
type orgFacts struct {
	isOrg     bool
	base      string // the base role of members, as a repository level; "" for none
	baseKnown bool   // GitHub shows the base role to owners only
	owners    map[int64]bool
}

// org loads the facts of the organization or user that owns a repository,
// once per process.
func (t *Target) org(ctx context.Context, name string) (*orgFacts, error) {
	return t.orgs.get(ctx, lower(name), func(ctx context.Context) (*orgFacts, error) {
		o, _, err := t.gh.Organizations.Get(ctx, ghclient.Seg(name))
		if ghclient.IsNotFound(err) {
			return &orgFacts{}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read organization %s: %w", name, ghclient.Explain(err))
		}
		owners, err := t.owners(ctx, name)
		if err != nil {
			return nil, err
		}
		f := &orgFacts{isOrg: true, owners: owners}
		if p := o.DefaultRepoPermission; p != nil {
			f.base, f.baseKnown = repoLevel(*p), true
		}
		return f, nil
	})
}

// owners loads the IDs of an organization's owners once per process.
func (t *Target) owners(ctx context.Context, org string) (map[int64]bool, error) {
	return t.ownerIDs.get(ctx, lower(org), func(ctx context.Context) (map[int64]bool, error) {
		owners, err := ghclient.All(func(lo github.ListOptions) ([]*github.User, *github.Response, error) {
			return t.gh.Organizations.ListMembers(ctx, ghclient.Seg(org), &github.ListMembersOptions{Role: "admin", ListOptions: lo})
		})
		if err != nil {
			return nil, fmt.Errorf("list owners of organization %s: %w", org, ghclient.Explain(err))
		}
		ids := map[int64]bool{}
		for _, u := range owners {
			ids[u.GetID()] = true
		}
		return ids, nil
	})
}
