terraform {
  required_providers {
    jit    = { source = "jitgate/jit" }
    github = { source = "integrations/github" }
  }
}

provider "jit" {}

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

resource "github_membership" "mona" {
  username = "mona"
}

resource "github_team_membership" "dave" {
  team_id  = "oncall"
  username = "dave"
}

resource "github_team_members" "sre" {
  team_slug = "sre"
  members {
    username = "alice"
    role     = "maintainer"
  }
}

resource "github_repository_collaborator" "frank" {
  repository = "api"
  username   = "frank"
}

resource "github_team_repository" "sre_api" {
  team_id    = "sre"
  repository = "api"
}
