resource "jit_elevation" "mona_incident_4711" {
  policy_id = jit_optout_policy.prod_admin.id
  principal = "mona"
  scope     = "github:repo:acme/payments:admin"
  reason    = "Rotate the leaked deploy key during INC-4711, then hand back."
  ticket    = "INC-4711"
  duration  = "2h"
}
