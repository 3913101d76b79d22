using System.Globalization;
using System.Text;
using YamlDotNet.RepresentationModel;

namespace Research.Models.Specs;

/// <summary>
/// Network specs in YAML. Loading is strict: an unknown key, a wrong type or a bad block is
/// an error naming the file, line and key. Saving writes the same schema back.
/// <code>
/// name: efficientnet_b0
/// stem: cn_r1_k3_s2_c32_asilu
/// stages:
///   - [ir_r1_k3_s1_e1_c16_se0.25_asilu]
/// head: {conv: 1280, conv_act: silu, dropout: 0.2}
/// </code>
/// </summary>
public static class SpecYaml
{
    private static readonly string[] TopKeys =
        ["name", "in_channels", "classes", "resolution", "small_input", "drop_connect", "bn_eps", "bn_momentum", "channel_divisor", "init", "stem", "stages", "head", "cell"];

    private static readonly string[] CellKeys = ["ops", "normal", "normal_concat", "reduce", "reduce_concat"];

    private static readonly string[] HeadKeys = ["conv", "conv_act", "hidden", "hidden_act", "hidden_conv", "dropout"];

    public static NetworkSpec Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"spec file not found: {path}", path);
        return Parse(File.ReadAllText(path), path);
    }

    public static NetworkSpec Parse(string yaml, string source = "<spec>")
    {
        var root = StrictYaml.LoadRoot(yaml, source, "name, stem, stages, head, ...");
        var r = new Reader(source);
        var map = r.Mapping(root, null, TopKeys);
        foreach (var k in new[] { "name", "stem", "stages", "head" })
            if (!map.ContainsKey(k)) throw new SpecFormatException($"{source}:{root.Start.Line}: missing key '{k}'");

        var stagesNode = map["stages"] as YamlSequenceNode ?? throw r.Error(map["stages"], "stages", "a list of stages, each a list of block specs");
        var stages = new List<EquatableList<BlockSpec>>();
        foreach (var stage in stagesNode)
        {
            var blocks = stage is YamlSequenceNode seq ? seq.Children : stage is YamlScalarNode ? [stage] : throw r.Error(stage, "stages", "a list of block specs");
            stages.Add(blocks.Select(b => r.Block(b, "stages")).ToEquatableList());
        }
        var headMap = r.Mapping(map["head"], "head", HeadKeys);
        var head = new HeadSpec
        {
            ConvChannels = headMap.TryGetValue("conv", out var c) ? r.Int(c, "head.conv") : 0,
            ConvActivation = headMap.TryGetValue("conv_act", out var ca) ? r.Act(ca, "head.conv_act") : Activation.ReLU,
            HiddenFeatures = headMap.TryGetValue("hidden", out var h) ? r.Int(h, "head.hidden") : 0,
            HiddenActivation = headMap.TryGetValue("hidden_act", out var ha) ? r.Act(ha, "head.hidden_act") : Activation.ReLU,
            HiddenAsConv = headMap.TryGetValue("hidden_conv", out var hc) && r.Bool(hc, "head.hidden_conv"),
            Dropout = headMap.TryGetValue("dropout", out var d) ? r.Double(d, "head.dropout") : 0,
        };
        var spec = new NetworkSpec
        {
            Name = r.String(map["name"], "name"),
            Stem = r.Block(map["stem"], "stem"),
            Stages = stages.ToEquatableList(),
            Head = head,
            InChannels = map.TryGetValue("in_channels", out var ic) ? r.Int(ic, "in_channels") : 3,
            Classes = map.TryGetValue("classes", out var cl) ? r.Int(cl, "classes") : 1000,
            Resolution = map.TryGetValue("resolution", out var res) ? r.Int(res, "resolution") : 224,
            SmallInput = map.TryGetValue("small_input", out var si) && r.Bool(si, "small_input"),
            DropConnect = map.TryGetValue("drop_connect", out var dc) ? r.Double(dc, "drop_connect") : 0,
            BnEps = map.TryGetValue("bn_eps", out var be) ? r.Double(be, "bn_eps") : 1e-5,
            BnMomentum = map.TryGetValue("bn_momentum", out var bm) ? r.Double(bm, "bn_momentum") : 0.1,
            ChannelDivisor = map.TryGetValue("channel_divisor", out var cd) ? r.Int(cd, "channel_divisor") : 8,
            Init = map.TryGetValue("init", out var init) ? r.Init(init) : InitScheme.Default,
            Cell = map.TryGetValue("cell", out var cell) ? r.Cell(cell, CellKeys) : null,
        };
        try
        {
            return spec.Validate();
        }
        catch (SpecFormatException e)
        {
            throw new SpecFormatException($"{source}: {e.Message}");
        }
    }

    public static void Save(NetworkSpec spec, string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, ToYaml(spec));
        File.Move(tmp, path, overwrite: true);
    }

    public static string ToYaml(NetworkSpec s)
    {
        string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.Append("name: ").AppendLine(s.Name);
        sb.Append("in_channels: ").AppendLine(s.InChannels.ToString(CultureInfo.InvariantCulture));
        sb.Append("classes: ").AppendLine(s.Classes.ToString(CultureInfo.InvariantCulture));
        sb.Append("resolution: ").AppendLine(s.Resolution.ToString(CultureInfo.InvariantCulture));
        sb.Append("small_input: ").AppendLine(s.SmallInput ? "true" : "false");
        sb.Append("drop_connect: ").AppendLine(N(s.DropConnect));
        sb.Append("bn_eps: ").AppendLine(N(s.BnEps));
        sb.Append("bn_momentum: ").AppendLine(N(s.BnMomentum));
        sb.Append("channel_divisor: ").AppendLine(s.ChannelDivisor.ToString(CultureInfo.InvariantCulture));
        sb.Append("init: ").AppendLine(s.Init.ToString().ToLowerInvariant());
        sb.Append("stem: ").AppendLine(s.Stem.ToString());
        sb.AppendLine("stages:");
        foreach (var stage in s.Stages) sb.Append("  - [").Append(string.Join(", ", stage)).AppendLine("]");
        var h = s.Head;
        sb.Append("head: {conv: ").Append(h.ConvChannels).Append(", conv_act: ").Append(h.ConvActivation.Name())
            .Append(", hidden: ").Append(h.HiddenFeatures).Append(", hidden_act: ").Append(h.HiddenActivation.Name())
            .Append(", hidden_conv: ").Append(h.HiddenAsConv ? "true" : "false").Append(", dropout: ").Append(N(h.Dropout)).AppendLine("}");
        if (s.Cell is { } g)
        {
            sb.AppendLine("cell:");
            sb.Append("  ops: {").Append(string.Join(", ", g.Ops.Select(o => $"{o.Name}: {o.Definition}"))).AppendLine("}");
            foreach (var (key, c) in new[] { ("normal", g.Normal), ("reduce", g.Reduce) })
            {
                sb.Append("  ").Append(key).Append(": [").Append(string.Join(", ", c.Edges)).AppendLine("]");
                sb.Append("  ").Append(key).Append("_concat: [").Append(string.Join(", ", c.Concat)).AppendLine("]");
            }
        }
        return sb.ToString();
    }

    private sealed class Reader(string source) : StrictYaml(source)
    {
        public Activation Act(YamlNode n, string key) =>
            n is YamlScalarNode { Value: { } v } && ActivationNames.TryParse(v, out var a) ? a : throw Error(n, key, $"one of {string.Join(", ", ActivationNames.Names)}");

        public InitScheme Init(YamlNode n) =>
            n is YamlScalarNode { Value: { } v } && Enum.TryParse<InitScheme>(v, ignoreCase: true, out var i) && !int.TryParse(v, out _)
                ? i : throw Error(n, "init", "one of default, mobilenet, efficientnet");

        public Cells.Genotype Cell(YamlNode node, string[] keys)
        {
            var m = Mapping(node, "cell", keys);
            foreach (var k in keys)
                if (!m.ContainsKey(k)) throw new SpecFormatException($"{source}:{node.Start.Line}: 'cell' has no '{k}'");
            var opsNode = m["ops"] as YamlMappingNode ?? throw Error(m["ops"], "cell.ops", "a mapping of op names to definitions");
            var ops = new List<Cells.CellOp>();
            foreach (var (k, v) in opsNode.Children)
            {
                string name = (k as YamlScalarNode)?.Value ?? "";
                try
                {
                    ops.Add(Cells.CellOp.Parse(name, String(v, $"cell.ops.{name}")));
                }
                catch (SpecFormatException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
                {
                    throw new SpecFormatException($"{source}:{v.Start.Line}: cell.ops: {e.Message}");
                }
            }
            Cells.CellGenotype Read(string edges, string concat)
            {
                var es = m[edges] as YamlSequenceNode ?? throw Error(m[edges], $"cell.{edges}", "a list of op@input edges");
                var cs = m[concat] as YamlSequenceNode ?? throw Error(m[concat], $"cell.{concat}", "a list of node indices");
                var list = new List<Cells.GenotypeEdge>();
                foreach (var e in es)
                {
                    try
                    {
                        list.Add(Cells.GenotypeEdge.Parse(String(e, $"cell.{edges}")));
                    }
                    catch (SpecFormatException ex) when (!ex.Message.StartsWith(source, StringComparison.Ordinal))
                    {
                        throw new SpecFormatException($"{source}:{e.Start.Line}: cell.{edges}: {ex.Message}");
                    }
                }
                return new Cells.CellGenotype(list.ToEquatableList(), cs.Select(c => Int(c, $"cell.{concat}")).ToEquatableList());
            }
            var g = new Cells.Genotype(Read("normal", "normal_concat"), Read("reduce", "reduce_concat"), ops.ToEquatableList());
            try
            {
                return g.Validate();
            }
            catch (SpecFormatException e)
            {
                throw new SpecFormatException($"{source}:{node.Start.Line}: cell: {e.Message}");
            }
        }

        public BlockSpec Block(YamlNode n, string key)
        {
            if (n is not YamlScalarNode { Value: { } text }) throw Error(n, key, "a block spec string such as ir_r1_k3_s1_e6_c24");
            try
            {
                return BlockSpec.Parse(text);
            }
            catch (SpecFormatException e)
            {
                throw new SpecFormatException($"{source}:{n.Start.Line}: {key}: {e.Message}");
            }
        }
    }
}
