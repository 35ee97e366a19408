terraform {
  required_providers {
    jit    = { source = "jitgate/jit" }
    github = { source = "integrations/github" }
  }
}

# GITHUB_TOKEN and GITHUB_API_URL point the default configuration at the fake GitHub.
provider "jit" {}

# A second configuration pointing at another GitHub, with a token of its own.
# gen-fixtures.sh starts that GitHub and writes its URL in place of the marker.
provider "jit" {
  alias = "decoy"
  github {
    base_url = "@DECOY_URL@"
    token    = "decoy-token"
  }
}

# Three more ways to set the URL, none used by a resource: from variables,
# from a function (the plan shows no value), and in a dynamic block (the
# plan shows no block at all).
variable "github_api_url" {
  type    = string
  default = "https://github.example.com/api/v3/"
}

variable "github_token" {
  type      = string
  sensitive = true
  default   = "from-a-variable"
}

provider "jit" {
  alias = "byvar"
  github {
    base_url = var.github_api_url
    token    = var.github_token
  }
}

provider "jit" {
  alias = "computed"
  github {
    base_url = lower("HTTPS://GITHUB.EXAMPLE.COM/API/V3/")
  }
}

provider "jit" {
  alias = "dynamic"
  dynamic "github" {
    for_each = ["once"]
    content {
      base_url = "https://github.example.com/api/v3/"
    }
  }
}

provider "github" {
  owner = "acme"
}

resource "jit_optout_policy" "oncall" {
  name               = "oncall"
  scopes             = ["github:team:acme/oncall", "github:repo:acme/api:admin"]
  max_duration       = "4h"
  required_approvals = 2
  approvers          = ["bob", "carol"]
}

# A policy that the decoy configuration reads.
resource "jit_optout_policy" "decoy" {
  provider           = jit.decoy
  name               = "decoy"
  scopes             = ["github:team:acme/oncall"]
  max_duration       = "4h"
  required_approvals = 1
  approvers          = ["bob"]
}

# Organization owner, from member.
resource "github_membership" "mona" {
  username = "mona"
  role     = "admin"
}

# A team made in this plan, and a maintainer of it: its id is known only
# after apply. dave's membership of oncall is removed.
resource "github_team" "shadow" {
  name           = "oncall-shadow"
  parent_team_id = "oncall"
}

resource "github_team_membership" "erin" {
  team_id  = github_team.shadow.id
  username = "erin"
  role     = "maintainer"
}

# erin added to the authoritative member list.
resource "github_team_members" "sre" {
  team_slug = "sre"
  members {
    username = "alice"
    role     = "maintainer"
  }
  members {
    username = "erin"
    role     = "member"
  }
}

# push to admin: a replacement, since permission forces one.
resource "github_repository_collaborator" "frank" {
  repository = "api"
  username   = "frank"
  permission = "admin"
}

resource "github_repository_collaborators" "api" {
  repository = "api"
  user {
    username   = "mona"
    permission = "admin"
  }
  team {
    team_id    = "oncall"
    permission = "maintain"
  }
}

# pull to admin, in place.
resource "github_team_repository" "sre_api" {
  team_id    = "sre"
  repository = "api"
  permission = "admin"
}

resource "github_team_sync_group_mapping" "oncall" {
  team_slug = "oncall"
  group {
    group_id          = "g-4711"
    group_name        = "on-call"
    group_description = "Everyone on call, from the identity provider"
  }
}

# A provisioner runs whatever it is told at apply.
resource "terraform_data" "hook" {
  input = "oncall"
  provisioner "local-exec" {
    command = "curl -fsS -X PUT https://api.github.com/orgs/acme/teams/oncall/memberships/zed"
  }
}

# One module instance per principal, on the decoy configuration, with a
# nested module of its own.
module "grant" {
  source    = "./modules/grant"
  for_each  = toset(["dave"])
  providers = { jit = jit.decoy }
  policy_id = jit_optout_policy.decoy.id
  principal = each.key
}
