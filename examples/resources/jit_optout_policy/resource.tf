resource "jit_optout_policy" "prod_admin" {
  name        = "prod-admin"
  description = "Short admin access to production repositories, for incidents."

  scopes             = ["github:repo:acme/*:admin", "github:team:acme/prod-oncall"]
  max_duration       = "4h"
  required_approvals = 2
  approvers          = ["team:acme/sre-leads", "octo-security"]
  requesters         = ["team:acme/sre"]

  reason {
    min_length      = 30
    ticket_required = true
    ticket_pattern  = "^INC-[0-9]+$"
  }

  max_active_per_principal = 1
  governance_approvals     = 3

  break_glass {
    enabled            = true
    max_duration       = "1h"
    required_approvals = 0
    review_within      = "24h"
  }

  # Accounts allowed to hold the concrete scopes permanently.
  standing = {
    "acme-breakglass" = "Sealed emergency account; credentials in the vault."
  }
}
