# The provider this example needs, so the directory validates on its own.
terraform {
  required_version = ">= 1.5.7"
  required_providers {
    jit = {
      source  = "jitgate/jit"
      version = "~> 0.1"
    }
  }
}

provider "jit" {}
