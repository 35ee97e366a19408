terraform {
  required_providers {
    jit = { source = "jitgate/jit" }
  }
}

variable "policy_id" { type = string }
variable "members" { type = list(string) }

resource "jit_elevation" "pager" {
  count     = length(var.members)
  policy_id = var.policy_id
  principal = var.members[count.index]
  scope     = "github:team:acme/oncall"
  reason    = "OPS-12 cover the pager rotation this week"
  duration  = "2h"
}

module "repo" {
  source     = "./repo"
  policy_id  = var.policy_id
  principals = toset(var.members)
}
