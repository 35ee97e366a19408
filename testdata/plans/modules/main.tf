terraform {
  required_providers {
    jit = { source = "jitgate/jit" }
  }
}

# GITHUB_TOKEN and GITHUB_API_URL point the provider at the fake GitHub.
provider "jit" {}

resource "jit_optout_policy" "oncall" {
  name               = "oncall"
  scopes             = ["github:team:acme/oncall", "github:repo:acme/*:push"]
  max_duration       = "4h"
  required_approvals = 2
  approvers          = ["bob", "carol", "team:acme/sre"]
}

# One instance per team; each grants with count and, in a nested module, for_each.
module "team" {
  source    = "./modules/team"
  for_each  = { sre = ["dave", "frank"], devs = ["mona"] }
  policy_id = jit_optout_policy.oncall.id
  members   = each.value
}
