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

# A new reason is a new request: replaced, destroying first.
resource "jit_elevation" "pager" {
  policy_id = jit_optout_policy.oncall.id
  principal = "mona"
  scope     = "github:team:acme/oncall"
  reason    = "OPS-11 investigate the paging outage again"
  duration  = "4h"
}

# Replaced the other way round.
resource "jit_elevation" "hotfix" {
  policy_id = jit_optout_policy.oncall.id
  principal = "erin"
  scope     = "github:repo:acme/api:push"
  reason    = "OPS-12 hotfix the API again"
  duration  = "4h"

  lifecycle {
    create_before_destroy = true
  }
}

# Left alone: no-op.
resource "jit_elevation" "audit" {
  policy_id = jit_optout_policy.oncall.id
  principal = "frank"
  scope     = "github:repo:acme/api:push"
  reason    = "OPS-10 audit the deploy keys"
  duration  = "4h"
}

# No longer managed, but not destroyed: forget.
removed {
  from = jit_elevation.handover

  lifecycle {
    destroy = false
  }
}

# Read at apply time, since its path is only known then.
resource "terraform_data" "state_path" {
  input = "other.tfstate"
}

data "terraform_remote_state" "other" {
  backend = "local"
  config  = { path = terraform_data.state_path.output }
}
