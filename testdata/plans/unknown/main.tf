terraform {
  required_providers {
    jit = { source = "jitgate/jit" }
  }
}

# GITHUB_TOKEN and GITHUB_API_URL point the provider at the fake GitHub.
provider "jit" {}

# Created in the same plan, so the thresholds below are unknown until apply.
resource "terraform_data" "limits" {
  input = { max_duration = "2h", duration = "1h" }
}

resource "jit_optout_policy" "oncall" {
  name               = "oncall"
  scopes             = ["github:team:acme/oncall"]
  max_duration       = terraform_data.limits.output.max_duration
  required_approvals = 2
  approvers          = ["bob", "carol", "team:acme/sre"]
}

resource "jit_elevation" "pager" {
  policy_id = jit_optout_policy.oncall.id
  principal = "mona"
  scope     = "github:team:acme/oncall"
  reason    = "OPS-7 investigate the paging outage"
  duration  = terraform_data.limits.output.duration
}
