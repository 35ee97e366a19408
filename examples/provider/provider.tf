terraform {
  required_version = ">= 1.5.7"
  required_providers {
    jit = {
      source  = "jitgate/jit"
      version = "~> 0.1"
    }
  }
}

# The token comes from GITHUB_TOKEN and the API from GITHUB_API_URL, as the
# workflow sets them; the token is never logged or stored in state. It needs
# to manage team memberships and repository collaborators of the
# organisation. jit-gate trusts this configuration only while it points at
# the settings' github_base_url and carries no token of its own.
provider "jit" {
  github {
    # base_url = "https://ghe.example.com/api/v3/" # GitHub Enterprise Server: also github_base_url in .github/jit-gate.yml
  }
}
