# The incident runs long: a second, newly approved request extends the first.
resource "jit_elevation" "mona_incident_4711_extended" {
  policy_id = jit_optout_policy.prod_admin.id
  principal = "mona"
  scope     = "github:repo:acme/payments:admin"
  reason    = "INC-4711 is still open: finish the key rotation, then hand back."
  ticket    = "INC-4711"
  duration  = "2h"
  overlaps  = [jit_elevation.mona_incident_4711]
}
