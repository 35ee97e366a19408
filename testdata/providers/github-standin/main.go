// Command github-standin is a schema-only stand-in for the integrations/github
// Terraform provider, for making test fixtures: its resources have the real
// resources' arguments and attributes that jit-gate reads (types, defaults,
// which ones force a replacement, blocks as sets), and do nothing but store
// what they are given. With it real Terraform plans those resources, and
// writes the plan JSON the gate reads, on a machine without GitHub or the
// real provider. scripts/gen-fixtures.sh builds it as
// terraform-provider-github for the address integrations/github.
//
// It is not a provider to use: nothing it "creates" exists anywhere.
package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func main() {
	err := providerserver.Serve(context.Background(), func() provider.Provider { return standinProvider{} },
		providerserver.ServeOpts{Address: "registry.terraform.io/integrations/github"})
	if err != nil {
		log.Fatal(err)
	}
}

type standinProvider struct{}

func (standinProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "github"
}

// Schema has the real provider's connection arguments, so configurations
// written for it plan unchanged.
func (standinProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = pschema.Schema{Attributes: map[string]pschema.Attribute{
		"owner":    pschema.StringAttribute{Optional: true},
		"token":    pschema.StringAttribute{Optional: true, Sensitive: true},
		"base_url": pschema.StringAttribute{Optional: true},
	}}
}

func (standinProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (standinProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

// Resources are the access-granting resources of integrations/github v6,
// with the arguments and attributes of their real schemas.
func (standinProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		standin("membership", map[string]schema.Attribute{
			"username":             required(true),
			"role":                 withDefault("member", false),
			"downgrade_on_destroy": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false)},
			"etag":                 computed(),
		}, nil),
		standin("team", map[string]schema.Attribute{
			"name":           required(false),
			"description":    schema.StringAttribute{Optional: true},
			"privacy":        withDefault("secret", false),
			"parent_team_id": schema.StringAttribute{Optional: true},
			"slug":           computed(),
			"node_id":        computed(),
			"etag":           computed(),
		}, nil),
		standin("team_membership", map[string]schema.Attribute{
			"team_id":  required(true),
			"username": required(true),
			"role":     withDefault("member", false),
			"etag":     computed(),
		}, nil),
		standin("team_members", map[string]schema.Attribute{
			"team_id":   schema.StringAttribute{Optional: true, Computed: true, PlanModifiers: keep()},
			"team_slug": schema.StringAttribute{Optional: true, Computed: true, PlanModifiers: keep()},
		}, map[string]schema.Block{
			"members": setBlock(map[string]schema.Attribute{
				"username": required(false),
				"role":     schema.StringAttribute{Optional: true},
			}),
		}),
		standin("team_repository", map[string]schema.Attribute{
			"team_id":    required(true),
			"repository": required(true),
			"permission": withDefault("pull", false),
			"etag":       computed(),
		}, nil),
		standin("team_sync_group_mapping", map[string]schema.Attribute{
			"team_slug": required(false),
			"etag":      computed(),
		}, map[string]schema.Block{
			"group": setBlock(map[string]schema.Attribute{
				"group_id":          required(false),
				"group_name":        required(false),
				"group_description": required(false),
			}),
		}),
		standin("repository_collaborator", map[string]schema.Attribute{
			"repository":                  required(true),
			"username":                    required(true),
			"permission":                  withDefault("push", true),
			"permission_diff_suppression": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false)},
			"invitation_id":               computed(),
		}, nil),
		standin("repository_collaborators", map[string]schema.Attribute{
			"repository":       required(false),
			"repository_id":    schema.Int64Attribute{Computed: true, PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()}},
			"owner_configured": schema.BoolAttribute{Computed: true, PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()}},
			"invitation_ids": schema.MapAttribute{ElementType: types.StringType, Computed: true,
				PlanModifiers: []planmodifier.Map{mapplanmodifier.UseStateForUnknown()}},
		}, map[string]schema.Block{
			"user": setBlock(map[string]schema.Attribute{
				"username":   required(false),
				"permission": schema.StringAttribute{Optional: true},
			}),
			"team": setBlock(map[string]schema.Attribute{
				"team_id":    required(false),
				"permission": schema.StringAttribute{Optional: true},
			}),
		}),
	}
}

func required(forceNew bool) schema.StringAttribute {
	a := schema.StringAttribute{Required: true}
	if forceNew {
		a.PlanModifiers = []planmodifier.String{stringplanmodifier.RequiresReplace()}
	}
	return a
}

func withDefault(def string, forceNew bool) schema.StringAttribute {
	a := schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString(def)}
	if forceNew {
		a.PlanModifiers = []planmodifier.String{stringplanmodifier.RequiresReplace()}
	}
	return a
}

// computed is an attribute the real provider reads back from GitHub; like
// an SDKv2 provider, the stand-in keeps it across updates.
func computed() schema.StringAttribute {
	return schema.StringAttribute{Computed: true, PlanModifiers: keep()}
}

func keep() []planmodifier.String {
	return []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
}

// setBlock is a block of type TypeSet, as the SDKv2 provider declares them.
func setBlock(attrs map[string]schema.Attribute) schema.SetNestedBlock {
	return schema.SetNestedBlock{NestedObject: schema.NestedBlockObject{Attributes: attrs}}
}

// standin makes resource github_NAME with an id and the given schema.
func standin(name string, attrs map[string]schema.Attribute, blocks map[string]schema.Block) func() resource.Resource {
	attrs["id"] = computed()
	return func() resource.Resource {
		return &standinResource{name: name, schema: schema.Schema{Attributes: attrs, Blocks: blocks}}
	}
}

// standinResource stores what it is given and answers with it.
type standinResource struct {
	name   string
	schema schema.Schema
}

func (r *standinResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.name
}

func (r *standinResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = r.schema
}

func (r *standinResource) Create(_ context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	v, err := known(req.Plan.Raw)
	if err != nil {
		resp.Diagnostics.AddError("github-standin", err.Error())
		return
	}
	resp.State.Raw = v
}

func (r *standinResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (r *standinResource) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	v, err := known(req.Plan.Raw)
	if err != nil {
		resp.Diagnostics.AddError("github-standin", err.Error())
		return
	}
	resp.State.Raw = v
}

func (r *standinResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// known gives what the plan leaves unknown a value, as GitHub would: ids
// from a hash of the planned object, empty values otherwise.
func known(plan tftypes.Value) (tftypes.Value, error) {
	id := fmt.Sprintf("%x", sha256.Sum256([]byte(plan.String())))[:12]
	return tftypes.Transform(plan, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if v.IsKnown() {
			return v, nil
		}
		switch t := v.Type(); {
		case t.Is(tftypes.String):
			return tftypes.NewValue(t, id), nil
		case t.Is(tftypes.Number):
			return tftypes.NewValue(t, 0), nil
		case t.Is(tftypes.Bool):
			return tftypes.NewValue(t, false), nil
		case t.Is(tftypes.Map{}):
			return tftypes.NewValue(t, map[string]tftypes.Value{}), nil
		default:
			return tftypes.NewValue(t, nil), nil
		}
	})
}
