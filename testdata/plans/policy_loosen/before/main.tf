terraform {
  required_providers {
    jit = { source = "jitgate/jit" }
  }
}

# GITHUB_TOKEN and GITHUB_API_URL point the provider at the fake GitHub.
provider "jit" {}

resource "jit_optout_policy" "oncall" {
  name                     = "oncall"
  scopes                   = ["github:team:acme/oncall"]
  max_duration             = "4h"
  required_approvals       = 2
  approvers                = ["bob", "carol"]
  max_active_per_principal = 1
  governance_approvals     = 3

  reason {
    min_length = 30
    pattern    = "OPS-[0-9]+"
  }
}
