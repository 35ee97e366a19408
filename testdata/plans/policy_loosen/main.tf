terraform {
  required_providers {
    jit = { source = "jitgate/jit" }
  }
}

# GITHUB_TOKEN and GITHUB_API_URL point the provider at the fake GitHub.
provider "jit" {}

# Every threshold of before/ made weaker.
resource "jit_optout_policy" "oncall" {
  name                 = "oncall"
  scopes               = ["github:team:acme/oncall", "github:repo:acme/*:admin"]
  max_duration         = "8h"
  required_approvals   = 1
  approvers            = ["bob", "carol", "erin"]
  governance_approvals = 1

  reason {
    min_length = 10
  }

  break_glass {
    enabled            = true
    max_duration       = "1h"
    required_approvals = 0
    review_within      = "24h"
  }
}
