// Command provprof is the provider (main.go) with a CPU profile, for
// finding where `terraform plan` spends its time in the provider. It writes
// the profile to $JIT_PROVIDER_CPUPROFILE (default: provider.cpu in the
// working directory) when Terraform shuts the plugin down.
//
// Build it as terraform-provider-jit into a dev_overrides directory:
//
//	go build -o DIR/terraform-provider-jit ./bench/provprof
package main

import (
	"cmp"
	"context"
	"log"
	"os"
	"runtime/pprof"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/jitgate/terraform-provider-jit/internal/provider"
)

func main() {
	f, err := os.Create(cmp.Or(os.Getenv("JIT_PROVIDER_CPUPROFILE"), "provider.cpu"))
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Fatal(err)
	}
	err = providerserver.Serve(context.Background(), provider.New("profile"), providerserver.ServeOpts{
		Address: "registry.terraform.io/jitgate/jit",
	})
	pprof.StopCPUProfile()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		log.Fatal(err)
	}
}
