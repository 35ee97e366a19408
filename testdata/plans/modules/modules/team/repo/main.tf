terraform {
  required_providers {
    jit = { source = "jitgate/jit" }
  }
}

variable "policy_id" { type = string }
variable "principals" { type = set(string) }

resource "jit_elevation" "push" {
  for_each  = var.principals
  policy_id = var.policy_id
  principal = each.key
  scope     = "github:repo:acme/api:push"
  reason    = "OPS-12 hotfix the API during the rotation"
  duration  = "1h"
}
