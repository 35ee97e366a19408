package main

import (
	"fmt"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/seal"
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

// gateLoginUsage documents --gate-login, the same for every command.
const gateLoginUsage = "the `login` the gate writes its comments and records as, when the trusted settings (.github/jit-gate.yml) do not name one in gate_login (default: the token's account, which a GitHub App installation token cannot tell)"

// sealing reads the seal keys a command that writes records needs: the
// sealing key is required.
func sealing(getenv func(string) string) (*seal.Keyring, error) {
	k, err := seal.KeysFromEnv(getenv)
	if err == nil && !k.CanSeal() {
		err = seal.ErrNoKey
	}
	return k, err
}
