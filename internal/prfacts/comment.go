package prfacts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/report"
)

// ActionsBot is the account GitHub Actions' GITHUB_TOKEN writes as.
const ActionsBot = "github-actions[bot]"

// Self returns the login of the account the client's token acts as. A GitHub
// App installation token (such as Actions' GITHUB_TOKEN) may not read /user
// and gets 403; then installationLogin is returned if set, since such tokens
// cannot name themselves through the REST API.
func Self(ctx context.Context, client *github.Client, installationLogin string) (string, error) {
	u, _, err := client.Users.Get(ctx, "")
	var er *github.ErrorResponse
	switch {
	case err == nil && u.GetLogin() != "":
		return u.GetLogin(), nil
	case err == nil:
		return "", errors.New("identifying the token's account: GitHub returned no login")
	case installationLogin != "" && errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusForbidden:
		return installationLogin, nil
	}
	return "", fmt.Errorf("identifying the token's account: %w", ghclient.Explain(err))
}

// UpsertComment writes body, which must start with the gate's marker, as the
// gate's comment on owner/repo#number. If a comment written by self carries a
// marker of the same kind and head commit, the latest such comment is
// edited; otherwise a new comment is created, so each head commit keeps its
// own record. Comments by anyone else are never touched, whatever marker they
// carry, and nothing is ever deleted.
func UpsertComment(ctx context.Context, client *github.Client, owner, repo string, number int, self, body string) error {
	want, ok := report.ParseMarker(body)
	if !ok {
		return errors.New("comment body does not start with the gate's marker")
	}
	comments, err := GateComments(ctx, client, owner, repo, number)
	if err != nil {
		return err
	}
	var mine int64
	for _, c := range comments {
		if !strings.EqualFold(c.Author, self) {
			continue
		}
		if m, _ := report.ParseMarker(c.Body); m.Kind == want.Kind && strings.EqualFold(m.Head, want.Head) {
			mine = c.ID // comments are listed oldest first: keep the latest
		}
	}
	if mine != 0 {
		if _, _, err := client.Issues.EditComment(ctx, ghclient.Seg(owner), ghclient.Seg(repo), mine, &github.IssueComment{Body: &body}); err != nil {
			return fmt.Errorf("updating comment %d on %s/%s#%d: %w", mine, owner, repo, number, ghclient.Explain(err))
		}
		return nil
	}
	return AddComment(ctx, client, owner, repo, number, body)
}
