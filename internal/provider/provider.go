// Package provider implements the jit Terraform provider: the schemas and
// lifecycle of jit_optout_policy and jit_elevation. GitHub is reached only
// through the target interface, never inline.
package provider

import (
	"context"
	"fmt"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/target"
	"github.com/jitgate/terraform-provider-jit/internal/target/ghtarget"
)

const defaultBaseURL = "https://api.github.com/"

// New returns the provider factory used by main and by the acceptance tests.
func New(version string) func() provider.Provider {
	return newWithClock(version, realClock{})
}

func newWithClock(version string, clock Clock) func() provider.Provider {
	return func() provider.Provider {
		return &jitProvider{version: version, clock: clock}
	}
}

type jitProvider struct {
	version string
	clock   Clock
}

type providerModel struct {
	GitHub *githubModel `tfsdk:"github"`
}

type githubModel struct {
	Token   types.String `tfsdk:"token"`
	BaseURL types.String `tfsdk:"base_url"`
}

// providerData is what every resource of one provider process shares: one
// GitHub target (and so one snapshot cache) and the policies planned so far.
type providerData struct {
	target   target.Target
	clock    Clock
	commit   string
	policies *policyRegistry
}

func (p *jitProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "jit"
	resp.Version = p.version
}

func (p *jitProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Just-in-time privilege elevation for GitHub: policies as code and grants that expire by themselves.",
		Blocks: map[string]schema.Block{
			"github": schema.SingleNestedBlock{
				MarkdownDescription: "How to reach GitHub.",
				Attributes: map[string]schema.Attribute{
					"token": schema.StringAttribute{
						MarkdownDescription: "Token used for every GitHub API call. Defaults to the `GITHUB_TOKEN` environment variable. Never logged or stored in state.",
						Optional:            true,
						Sensitive:           true,
					},
					"base_url": schema.StringAttribute{
						MarkdownDescription: "GitHub REST API base URL. Defaults to `GITHUB_API_URL`, then `" + defaultBaseURL + "`. Set it for GitHub Enterprise Server, e.g. `https://ghe.example.com/api/v3/`.",
						Optional:            true,
					},
				},
			},
		},
	}
}

func (p *jitProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	gh := githubModel{}
	if cfg.GitHub != nil {
		gh = *cfg.GitHub
	}
	if gh.Token.IsUnknown() || gh.BaseURL.IsUnknown() {
		resp.Diagnostics.AddAttributeError(path.Root("github"), "Unknown GitHub configuration",
			"github.token and github.base_url must be known when planning; they cannot depend on values known only after apply.")
		return
	}
	token := firstSet(gh.Token.ValueString(), os.Getenv("GITHUB_TOKEN"))
	if token == "" {
		resp.Diagnostics.AddAttributeError(path.Root("github").AtName("token"), "Missing GitHub token",
			"Set github.token in the provider block or the GITHUB_TOKEN environment variable.")
		return
	}
	baseURL := firstSet(gh.BaseURL.ValueString(), os.Getenv("GITHUB_API_URL"), defaultBaseURL)
	client, err := ghclient.New(ghclient.Config{
		Token:     token,
		BaseURL:   baseURL,
		UserAgent: "terraform-provider-jit/" + p.version,
		Logger: func(ctx context.Context, msg string, fields map[string]any) {
			tflog.Debug(ctx, msg, fields)
		},
	})
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("github").AtName("base_url"), "Invalid GitHub configuration", err.Error())
		return
	}
	data := &providerData{
		target:   ghtarget.New(client),
		clock:    p.clock,
		commit:   os.Getenv("GITHUB_SHA"),
		policies: newPolicyRegistry(),
	}
	resp.ResourceData = data
}

func (p *jitProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{newOptoutPolicyResource, newElevationResource}
}

func (p *jitProvider) DataSources(context.Context) []func() datasource.DataSource {
	return nil
}

func firstSet(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// configureResource extracts the shared provider data in a resource's Configure.
func configureResource(req resource.ConfigureRequest, resp *resource.ConfigureResponse) *providerData {
	if req.ProviderData == nil {
		return nil
	}
	data, ok := req.ProviderData.(*providerData)
	if !ok {
		resp.Diagnostics.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider: please report it.", req.ProviderData))
		return nil
	}
	return data
}
