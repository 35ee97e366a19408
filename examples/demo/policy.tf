# Act 1: the policy lands on its own, approved by a governance approver.
terraform {
  required_providers {
    jit = {
      source = "jitgate/jit"
    }
  }
}

variable "github_api_url" {
  type = string
}

provider "jit" {
  github {
    token    = "demo-provider-token"
    base_url = var.github_api_url
  }
}

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
