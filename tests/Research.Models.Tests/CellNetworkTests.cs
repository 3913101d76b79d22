using Research.Models.Cells;
using Research.Models.Cost;
using Research.Models.Networks;
using Research.Models.Scaling;
using Research.Models.Specs;

namespace Research.Models.Tests;

public class CellNetworkTests
{
    private static readonly EquatableList<CellOp> Ops = new[]
    {
        CellOp.Parse("none", "none"), CellOp.Parse("skip_connect", "skip"), CellOp.Parse("max_pool_3x3", "max_pool_k3"),
        CellOp.Parse("avg_pool_3x3", "avg_pool_k3"), CellOp.Parse("mbconv_k3_e3", "ir_k3_e3_arelu_noskip"),
        CellOp.Parse("sandglass_k3_t2", "sg_k3_t2_arelu6_noskip"), CellOp.Parse("ghost_k3_e2", "gb_k3_e2_arelu_noskip"),
        CellOp.Parse("shuffle_v2", "sh_k3_arelu"),
    }.ToEquatableList();

    private static CellGenotype Cell(string edges) =>
        new(edges.Split(' ').Select(GenotypeEdge.Parse).ToEquatableList(), new EquatableList<int>([2, 3, 4]));

    public static Genotype Sample => new Genotype(
        Cell("mbconv_k3_e3@0 skip_connect@1 sandglass_k3_t2@0 ghost_k3_e2@2 shuffle_v2@1 avg_pool_3x3@3"),
        Cell("max_pool_3x3@0 skip_connect@1 mbconv_k3_e3@1 shuffle_v2@2 ghost_k3_e2@0 sandglass_k3_t2@3"),
        Genotype.UsedOps(Ops, Cell("mbconv_k3_e3@0 skip_connect@1 sandglass_k3_t2@0 ghost_k3_e2@2 shuffle_v2@1 avg_pool_3x3@3"),
            Cell("max_pool_3x3@0 skip_connect@1 mbconv_k3_e3@1 shuffle_v2@2 ghost_k3_e2@0 sandglass_k3_t2@3"))).Validate();

    private static readonly CellNetworkLayout Layout = new() { Cells = 5, Channels = 8, StemMultiplier = 2, InChannels = 1, Classes = 10, Resolution = 28 };

    [Theory]
    [InlineData("none", "none")]
    [InlineData("skip", "skip")]
    [InlineData("max_pool_k3", "pool")]
    [InlineData("avg_pool_k5", "pool")]
    [InlineData("ir_k5_e6_asilu_se0.25", "block")]
    [InlineData("sp_k3", "block")]
    [InlineData("dl_k5_d2", "block")]
    [InlineData("sh_k3_arelu", "block")]
    public void OpDefinitionsParse(string def, string form)
    {
        var op = CellOp.Parse("op", def);
        Assert.Equal(form, op.Form.Name);
        Assert.Equal(def, op.Definition);
    }

    [Theory]
    [InlineData("ir_k3_e3_c16", "token 'c16'")]
    [InlineData("ir_k3_s2_e3", "token 's2'")]
    [InlineData("ir_k3_e3_zz", "unknown token")]
    [InlineData("max_pool_k2", "odd")]
    [InlineData("conv", "not none, skip")]
    public void BadOpDefinitionsNameTheOpAndTheProblem(string def, string expected)
    {
        var e = Assert.Throws<SpecFormatException>(() => CellOp.Parse("my_op", def));
        Assert.Contains("my_op", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void GenotypeRoundTripsThroughJsonWithValueEquality()
    {
        var file = new GenotypeFile("g", Sample, Layout);
        var back = GenotypeFile.Parse(file.ToJson(), "g.json");
        Assert.Equal(file, back);
        Assert.Equal(Sample.GetHashCode(), back.Genotype.GetHashCode());
        Assert.Equal("normal: mbconv_k3_e3@0 skip_connect@1 | sandglass_k3_t2@0 ghost_k3_e2@2 | shuffle_v2@1 avg_pool_3x3@3 ; concat 2,3,4 // " +
            "reduce: max_pool_3x3@0 skip_connect@1 | mbconv_k3_e3@1 shuffle_v2@2 | ghost_k3_e2@0 sandglass_k3_t2@3 ; concat 2,3,4", Sample.ToString());
        Assert.NotEqual(Sample, Sample with { Normal = Sample.Reduce });
    }

    [Theory]
    [InlineData("\"mbconv_k3_e3@0\"", "\"mbconv_k3_e3@5\"", "node 4 can read states 0..3")]
    [InlineData("\"mbconv_k3_e3@0\"", "\"conv9@0\"", "unknown op 'conv9'")]
    public void BadGenotypesAreErrorsNamingTheEdge(string from, string to, string expected)
    {
        var json = new GenotypeFile("g", Sample, Layout).ToJson();
        Assert.Contains(from, json);
        var bad = json.Replace("\"avg_pool_3x3@3\"", to); // the normal cell's last node (node 4)
        var e = Assert.Throws<SpecFormatException>(() => GenotypeFile.Parse(bad, "bad.json"));
        Assert.Contains("bad.json", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void LayoutBecomesStagesOfCellsWithReductionsFirst()
    {
        var spec = Layout.ToSpec(Sample, "net");
        Assert.Equal("cn_r1_k3_s1_c16_anone", spec.Stem.ToString());
        Assert.Equal(["dc_r1_s1_c8", "dc_r2_s2_c16", "dc_r2_s2_c32"], spec.Stages.Select(s => string.Join(" ", s)).ToArray());
        Assert.True(spec.IsCellNetwork);
    }

    [Fact]
    public void SpecYamlKeepsTheCell()
    {
        var spec = Layout.ToSpec(Sample, "net");
        var back = SpecYaml.Parse(SpecYaml.ToYaml(spec), "net.yaml");
        Assert.Equal(spec, back);
        var e = Assert.Throws<SpecFormatException>(() => SpecYaml.Parse(SpecYaml.ToYaml(spec).Replace("normal_concat", "normal_concats"), "net.yaml"));
        Assert.Contains("net.yaml:", e.Message);
        Assert.Contains("normal_concats", e.Message);
    }

    /// <summary>The cost model equals counting the built cell network with forward hooks, layer by layer (odd 7×7 reductions included).</summary>
    [Fact]
    public void BuiltCellNetworkMatchesTheCostModelLayerByLayer()
    {
        var spec = Layout.ToSpec(Sample, "net");
        var estimate = CostModel.Estimate(spec);
        using var net = NetworkBuilder.Build(spec);
        net.eval();
        var counted = new Dictionary<string, long>();
        var hooks = new List<IDisposable>();
        foreach (var (path, m) in net.named_modules())
        {
            if (m is Torch.Modules.Conv2d conv)
                hooks.Add(conv.register_forward_hook((_, _, o) =>
                {
                    var s = o.shape;
                    counted[path] = s[1] * s[2] * s[3] * (conv.InChannels / conv.Groups) * conv.KernelSize.h * conv.KernelSize.w;
                }));
            else if (m is Torch.Modules.Linear lin)
                hooks.Add(lin.register_forward_hook((_, _, _) => counted[path] = lin.InFeatures * lin.OutFeatures));
        }
        Tensor y;
        using (torch.no_grad())
        using (var scope = torch.NewDisposeScope())
            y = net.call(torch.randn([2, 1, 28, 28])).MoveToOuterDisposeScope();
        using (y)
            Assert.Equal([2L, 10L], y.shape);
        foreach (var h in hooks) h.Dispose();
        var expected = estimate.Layers.Where(l => l.Kind is "conv" or "linear").ToDictionary(l => l.Name, l => l.Macs);
        Assert.Equal(expected.Keys.Order(), counted.Keys.Order());
        foreach (var (layer, macs) in expected) Assert.True(macs == counted[layer], $"{layer}: cost model {macs}, hooks {counted[layer]}");
        Assert.Equal(estimate.Params, net.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void CompoundScalingGrowsCellsAndWidths()
    {
        var spec = Layout.ToSpec(Sample, "net");
        var scaled = CompoundScaler.Scale(spec, new ScalingMember("net-b1", 1, 1.5, 2.0, 32, 0));
        Assert.Equal(["dc_r2_s1_c12", "dc_r4_s2_c24", "dc_r4_s2_c48"], scaled.Stages.Select(s => string.Join(" ", s)).ToArray());
        Assert.Equal(Sample, scaled.Cell);
        Assert.True(CostModel.Estimate(scaled).Macs > 2 * CostModel.Estimate(spec).Macs);
        using var net = NetworkBuilder.Build(scaled);
        Assert.Equal(CostModel.Estimate(scaled).Params, net.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void CellBlocksNeedAGenotypeAndTakeOnlyRSAndC()
    {
        Assert.Equal("dc_r2_s2_c16", BlockSpec.Parse("dc_r2_s2_c16").ToString());
        Assert.Throws<SpecFormatException>(() => BlockSpec.Parse("dc_r2_s2_c16_se0.25"));
        var plain = Layout.ToSpec(Sample, "net") with { Cell = null };
        var e = Assert.Throws<SpecFormatException>(() => plain.Validate());
        Assert.Contains("genotype", e.Message);
    }
}
