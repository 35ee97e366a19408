//go:build tools

// Package tools pins the versions of the development tools the GNUmakefile
// installs, in a module of its own so they never enter the provider's build.
package tools

import (
	// Documentation generation.
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
)
