#!/usr/bin/env bash
# Prints the version of a Terraform or OpenTofu CLI (e.g. 1.11.4), from
# `version -json`, which both print. Usage: scripts/cli-version.sh PATH
set -euo pipefail
CHECKPOINT_DISABLE=1 "$1" version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p'
