package audit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
)

// ActionsBot is the account every workflow's GITHUB_TOKEN writes as,
// pull-request workflows included.
const ActionsBot = "github-actions[bot]"

// Identity is what names the gate's own account: the account whose
// comments are the gate's, the only one whose comments the gate edits, and
// the only one whose records it trusts.
type Identity struct {
	// Trusted is gate_login from the trusted settings; "" when unset.
	Trusted string
	// Flag is --gate-login, for runs whose settings do not name one.
	Flag string
}

// ErrUnknownIdentity is GateLogin's error when nothing names the account.
var ErrUnknownIdentity = errors.New("cannot tell which account the gate writes as: the token may not read GET /user " +
	"(GitHub answers 403 to every GitHub App installation token, Actions' GITHUB_TOKEN included), and an App's bot " +
	"and github-actions[bot] look alike from there. Set gate_login in .github/jit-gate.yml " +
	"(github-actions[bot] for the workflow's GITHUB_TOKEN, APP-SLUG[bot] for an App's token) or pass --gate-login")

// GateLogin returns the gate's login: the trusted settings' gate_login, else
// --gate-login, else the token's account as GET /user names it. A
// --gate-login that contradicts the trusted settings is refused: it would
// make another account's comments the gate's. When the token cannot name
// itself (an installation token), the error says what to set, rather than
// guessing: a wrong guess posts a new comment on every run and makes every
// record look foreign.
func GateLogin(ctx context.Context, client *github.Client, id Identity) (string, error) {
	switch {
	case id.Trusted != "" && id.Flag != "" && !strings.EqualFold(id.Trusted, id.Flag):
		return "", fmt.Errorf("--gate-login %s contradicts gate_login %s in the trusted settings: refused", id.Flag, id.Trusted)
	case id.Trusted != "":
		return id.Trusted, nil
	case id.Flag != "":
		return id.Flag, nil
	}
	u, _, err := client.Users.Get(ctx, "")
	var er *github.ErrorResponse
	switch {
	case err == nil && u.GetLogin() != "":
		return u.GetLogin(), nil
	case err == nil:
		return "", errors.New("identifying the token's account: GitHub returned no login")
	case errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusForbidden:
		return "", ErrUnknownIdentity
	}
	return "", fmt.Errorf("identifying the token's account: %w", ghclient.Explain(err))
}
