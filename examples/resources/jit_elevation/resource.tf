# The policy the elevation is judged by (see jit_optout_policy).
resource "jit_optout_policy" "prod_admin" {
  name               = "prod-admin"
  scopes             = ["github:repo:acme/*:admin"]
  max_duration       = "4h"
  required_approvals = 2
  approvers          = ["team:acme/sre-leads", "octo-security"]

  reason {
    min_length      = 30
    ticket_required = true
    ticket_pattern  = "^INC-[0-9]+$"
  }
}

resource "jit_elevation" "mona_incident_4711" {
  policy_id = jit_optout_policy.prod_admin.id
  principal = "mona"
  scope     = "github:repo:acme/payments:admin"
  reason    = "Rotate the leaked deploy key during INC-4711, then hand back."
  ticket    = "INC-4711"
  duration  = "2h"
}
