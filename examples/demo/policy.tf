# Act 1: the policy lands on its own, approved by a governance approver.
terraform {
  required_providers {
    jit = {
      source = "jitgate/jit"
    }
  }
}

# GITHUB_TOKEN and GITHUB_API_URL say which GitHub, with which token: the
# gate trusts a jit provider configuration only when they come from the
# workflow's environment, which a pull request cannot change unreviewed.
provider "jit" {}

resource "jit_optout_policy" "oncall" {
  name               = "oncall"
  description        = "Short membership of the oncall team during incidents."
  scopes             = ["github:team:acme/oncall"]
  max_duration       = "1h"
  required_approvals = 1
  approvers          = ["team:acme/sre-leads"]

  # lead maintains the team and its rota: allowed to hold it permanently.
  # Anyone else in the team needs an elevation: exclusive means the drift
  # check removes them.
  standing = {
    lead = "Maintainer of the oncall rota"
  }
  exclusive = true

  reason {
    min_length      = 20
    ticket_required = true
    ticket_pattern  = "^INC-[0-9]+$"
  }
}
