// Command terraform-provider-jit serves the jit provider over plugin protocol 6.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/jitgate/terraform-provider-jit/internal/buildinfo"
	"github.com/jitgate/terraform-provider-jit/internal/provider"
)

// Set by the release build with -ldflags "-X main.version=... -X
// main.commit=... -X main.date=..." (.goreleaser.yml); empty otherwise.
var version, commit, date string

func main() {
	var debug, printVersion bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.BoolVar(&printVersion, "version", false, "print the version, commit and build date, and exit")
	flag.Parse()
	info := buildinfo.Get(version, commit, date)
	if printVersion {
		fmt.Println(info.String("terraform-provider-jit"))
		return
	}
	quietUnlessAsked()

	err := providerserver.Serve(context.Background(), provider.New(info.Version), providerserver.ServeOpts{
		Address: "registry.terraform.io/jitgate/jit",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}

// quietUnlessAsked turns the SDK's own log lines off when no TF_LOG* variable
// asks for logs: Terraform discards them then, yet writing them took about a
// third of the provider's CPU time when planning many elevations.
func quietUnlessAsked() {
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TF_LOG") {
			return
		}
	}
	for _, v := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
		_ = os.Setenv(v, "off") // fails only for an invalid name
	}
}
