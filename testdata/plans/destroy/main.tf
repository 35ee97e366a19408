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

resource "jit_elevation" "pager" {
  policy_id = jit_optout_policy.oncall.id
  principal = "mona"
  scope     = "github:team:acme/oncall"
  reason    = "OPS-7 investigate the paging outage"
  duration  = "4h"
}

resource "jit_elevation" "hotfix" {
  policy_id = jit_optout_policy.oncall.id
  principal = "erin"
  scope     = "github:repo:acme/api:push"
  reason    = "OPS-8 hotfix the API"
  duration  = "4h"
}
