terraform {
  required_providers {
    jit = {
      source = "jitgate/jit"
    }
  }
}

# The token comes from GITHUB_TOKEN when not set here; it is never logged or
# stored in state. It needs to manage team memberships and repository
# collaborators of the organisation.
provider "jit" {
  github {
    # base_url = "https://ghe.example.com/api/v3/" # GitHub Enterprise Server
  }
}
