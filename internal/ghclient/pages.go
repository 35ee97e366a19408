package ghclient

import "github.com/google/go-github/v60/github"

// PerPage is GitHub's largest page: the fewest calls for a list.
const PerPage = 100

// All fetches every page of a go-github list call, following NextPage.
func All[T any](list func(github.ListOptions) ([]T, *github.Response, error)) ([]T, error) {
	var out []T
	opts := github.ListOptions{PerPage: PerPage}
	for {
		items, resp, err := list(opts)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if resp == nil || resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}
