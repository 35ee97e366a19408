terraform {
  required_providers {
    jit = { source = "jitgate/jit" }
  }
}

variable "policy_id" {
  type = string
}

variable "principal" {
  type = string
}

resource "jit_elevation" "this" {
  policy_id = var.policy_id
  principal = var.principal
  scope     = "github:team:acme/oncall"
  reason    = "OPS-12 cover the pager rotation this week"
  duration  = "2h"
}

module "hook" {
  source = "./hook"
  count  = 1
}
