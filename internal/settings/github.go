package settings

import (
	"context"
	"fmt"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
)

// Load reads the settings file of owner/repo at ref (a commit SHA) through
// the contents API. A file that does not exist there gives the defaults; any
// other failure is an error, never the defaults: an unreadable file must not
// read as a missing one, since a file may be stricter than the defaults.
// GitHub answers 404 alike for a missing file and for a repository or commit
// the token cannot see, so a 404 is confirmed by reading the commit.
func Load(ctx context.Context, client *github.Client, owner, repo, ref string) (Settings, error) {
	source := fmt.Sprintf("%s/%s@%s:%s", owner, repo, ref, Path)
	if ref == "" {
		return Settings{}, fmt.Errorf("settings: no commit to read %s at", Path)
	}
	file, dir, _, err := client.Repositories.GetContents(ctx, ghclient.Seg(owner), ghclient.Seg(repo), Path, &github.RepositoryContentGetOptions{Ref: ref})
	switch {
	case ghclient.IsNotFound(err):
		if _, _, err := client.Repositories.GetCommit(ctx, ghclient.Seg(owner), ghclient.Seg(repo), ghclient.Seg(ref), nil); err != nil {
			return Settings{}, fmt.Errorf("reading %s: the file is not found and commit %s cannot be read either: %w", source, ref, ghclient.Explain(err))
		}
		return Default(source + " (absent)"), nil
	case err != nil:
		return Settings{}, fmt.Errorf("reading %s: %w", source, ghclient.Explain(err))
	case file == nil || dir != nil || file.GetType() != "file":
		return Settings{}, fmt.Errorf("reading %s: it is not a file", source)
	}
	content, err := file.GetContent()
	if err != nil {
		return Settings{}, fmt.Errorf("reading %s: %w", source, err)
	}
	return Parse([]byte(content), source)
}
