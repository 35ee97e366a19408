// Command nullprovider is the floor for the provider-overhead benchmark: a
// plugin-framework provider (type "benchnull") whose one resource,
// benchnull_elevation, has jit_elevation's schema and none of its logic: no
// validators, plan modifiers, ModifyPlan or GitHub client. Planning 500 of
// them costs what the plugin protocol and the framework cost; what
// jit_elevation costs beyond that is the provider's own.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

func main() {
	err := providerserver.Serve(context.Background(), func() provider.Provider { return nullProvider{} },
		providerserver.ServeOpts{Address: "registry.terraform.io/jitgate/benchnull"})
	if err != nil {
		log.Fatal(err)
	}
}

type nullProvider struct{}

func (nullProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "benchnull"
}

func (nullProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (nullProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (nullProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return elevation{} }}
}

func (nullProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

var _ provider.Provider = nullProvider{}

type elevation struct{}

func (elevation) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_elevation"
}

func (elevation) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	required := func() schema.StringAttribute { return schema.StringAttribute{Required: true} }
	computed := func() schema.StringAttribute { return schema.StringAttribute{Computed: true} }
	optional := func() schema.StringAttribute { return schema.StringAttribute{Optional: true} }
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"id": computed(), "policy_id": required(), "principal": required(), "scope": required(),
		"reason": required(), "duration": required(), "ticket": schema.StringAttribute{Optional: true},
		"break_glass": schema.BoolAttribute{Optional: true, Computed: true},
		"status":      computed(), "granted_at": computed(), "expires_at": computed(), "revoked_at": computed(),
		"previous_access": computed(), "granted_by_commit": computed(),
		"history": schema.ListNestedAttribute{Computed: true, NestedObject: schema.NestedAttributeObject{
			Attributes: map[string]schema.Attribute{"at": computed(), "event": computed(), "detail": computed()},
		}},
		"principal_id": schema.Int64Attribute{Computed: true}, "principal_login": computed(),
		"overlaps": schema.ListNestedAttribute{Optional: true, NestedObject: schema.NestedAttributeObject{
			Attributes: map[string]schema.Attribute{
				"id": optional(), "principal": optional(), "principal_id": schema.Int64Attribute{Optional: true}, "scope": optional(),
				"status": optional(), "expires_at": optional(), "previous_access": optional(),
			},
		}},
	}}
}

// The benchmark only plans: applying is refused.
func (elevation) Create(_ context.Context, _ resource.CreateRequest, resp *resource.CreateResponse) {
	resp.Diagnostics.AddError("benchnull only plans", "benchnull_elevation is a benchmark floor and cannot be applied.")
}

func (elevation) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (elevation) Update(_ context.Context, _ resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.AddError("benchnull only plans", "benchnull_elevation is a benchmark floor and cannot be applied.")
}

func (elevation) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
