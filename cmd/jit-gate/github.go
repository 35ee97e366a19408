package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/prfacts"
)

// parseRepo splits an --repo (or GITHUB_REPOSITORY) value.
func parseRepo(s string) (owner, name string, err error) {
	owner, name, ok := strings.Cut(s, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return "", "", fmt.Errorf("--repo %q (or GITHUB_REPOSITORY): want OWNER/NAME", s)
	}
	return owner, name, nil
}

func newClient(token, apiURL string) (*github.Client, error) {
	return ghclient.New(ghclient.Config{Token: token, BaseURL: apiURL, UserAgent: "jit-gate"})
}

// gateLogin is the account the gate writes as: login when given, else the
// token's own (in Actions, GITHUB_TOKEN cannot name itself and is
// prfacts.ActionsBot).
func gateLogin(ctx context.Context, client *github.Client, login string, inActions bool) (string, error) {
	if login != "" {
		return login, nil
	}
	return prfacts.Self(ctx, client, installation(inActions))
}

func installation(inActions bool) string {
	if inActions {
		return prfacts.ActionsBot
	}
	return ""
}
