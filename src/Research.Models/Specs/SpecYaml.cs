using Research.Core.IO;
using System.Globalization;
using Research.Core.Text;
using Research.Core.Yaml;
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
        ["name", "in_channels", "classes", "resolution", "small_input", "drop_connect", "drop_schedule", "bn_eps", "bn_momentum", "channel_divisor", "init", "stem", "stages", "head", "cell", "auxiliary"];

    private static readonly string[] AuxiliaryKeys = ["after", "weight"];

    private static readonly string[] CellKeys = ["ops", "normal", "normal_concat", "reduce", "reduce_concat"];

    private static readonly string[] HeadKeys = ["conv", "conv_act", "hidden", "hidden_act", "hidden_conv", "dropout", "classifier_bias"];

    public static NetworkSpec Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"spec file not found: {path}", path);
        return Parse(File.ReadAllText(path), path);
    }

    public static NetworkSpec Parse(string yaml, string source = "<spec>")
    {
        var checker = new YamlChecker(source);
        var root = checker.LoadRoot(yaml, "name, stem, stages, head, ...");
        var spec = root is null ? null : new Reader(checker).Spec(root);
        if (checker.HasErrors || spec is null) throw new SpecFormatException(string.Join("\n", checker.Errors));
        try
        {
            return spec.Validate();
        }
        catch (SpecFormatException e)
        {
            throw new SpecFormatException($"{source}: {e.Message}");
        }
    }

    public static void Save(NetworkSpec spec, string path) => DurableFile.WriteAllText(path, ToYaml(spec));

    public static string ToYaml(NetworkSpec s)
    {
        var sb = new StringBuilder();
        sb.Append("name: ").AppendLine(s.Name);
        sb.Append("in_channels: ").AppendLine(s.InChannels.ToString(CultureInfo.InvariantCulture));
        sb.Append("classes: ").AppendLine(s.Classes.ToString(CultureInfo.InvariantCulture));
        sb.Append("resolution: ").AppendLine(s.Resolution.ToString(CultureInfo.InvariantCulture));
        sb.Append("small_input: ").AppendLine(s.SmallInput ? "true" : "false");
        sb.Append("drop_connect: ").AppendLine(Numbers.RoundTrip(s.DropConnect));
        // Keys added later are written only when set, so older specs keep their text (and run hashes).
        if (s.DropSchedule != DropSchedule.Depth) sb.Append("drop_schedule: ").AppendLine(Cells.CellNetworkLayout.ScheduleName(s.DropSchedule));
        sb.Append("bn_eps: ").AppendLine(Numbers.RoundTrip(s.BnEps));
        sb.Append("bn_momentum: ").AppendLine(Numbers.RoundTrip(s.BnMomentum));
        sb.Append("channel_divisor: ").AppendLine(s.ChannelDivisor.ToString(CultureInfo.InvariantCulture));
        sb.Append("init: ").AppendLine(s.Init.ToString().ToLowerInvariant());
        sb.Append("stem: ").AppendLine(s.Stem.ToString());
        sb.AppendLine("stages:");
        foreach (var stage in s.Stages) sb.Append("  - [").Append(string.Join(", ", stage)).AppendLine("]");
        var h = s.Head;
        sb.Append("head: {conv: ").Append(h.ConvChannels).Append(", conv_act: ").Append(h.ConvActivation.Name())
            .Append(", hidden: ").Append(h.HiddenFeatures).Append(", hidden_act: ").Append(h.HiddenActivation.Name())
            .Append(", hidden_conv: ").Append(h.HiddenAsConv ? "true" : "false").Append(", dropout: ").Append(Numbers.RoundTrip(h.Dropout))
            .Append(h.ClassifierBias ? "" : ", classifier_bias: false").AppendLine("}");
        if (s.Auxiliary is { } aux)
            sb.Append("auxiliary: {after: ").Append(aux.AfterCell.ToString(CultureInfo.InvariantCulture)).Append(", weight: ").Append(Numbers.RoundTrip(aux.Weight)).AppendLine("}");
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

    /// <summary>Reads a spec's mapping, recording every problem on the checker (a getter's value is a placeholder after an error).</summary>
    private sealed class Reader(YamlChecker checker)
    {
        public NetworkSpec? Spec(YamlMappingNode root)
        {
            var map = checker.Map(root, "", TopKeys)!;
            foreach (var k in new[] { "name", "stem", "stages", "head" })
                if (!map.Has(k)) map.Missing(k);
            var stages = new List<EquatableList<BlockSpec>>();
            if (map["stages"] is { } stagesNode)
            {
                if (stagesNode is YamlSequenceNode seq)
                    for (int s = 0; s < seq.Children.Count; s++)
                    {
                        var stage = seq.Children[s];
                        var blocks = stage is YamlSequenceNode inner ? inner.Children : stage is YamlScalarNode ? [stage] : null;
                        if (blocks is null) checker.Error(stage, $"stages[{s}]", "must be a list of block specs");
                        else stages.Add(blocks.Select(b => Block(b, $"stages[{s}]")).OfType<BlockSpec>().ToEquatableList());
                    }
                else checker.Error(stagesNode, "stages", "must be a list of stages, each a list of block specs");
            }
            var headMap = map["head"] is { } hn ? checker.Map(hn, "head", HeadKeys) : null;
            var head = new HeadSpec
            {
                ConvChannels = headMap?["conv"] is { } c ? checker.Int(c, "head.conv", 0) ?? 0 : 0,
                ConvActivation = headMap?["conv_act"] is { } ca ? Act(ca, "head.conv_act") : Activation.ReLU,
                HiddenFeatures = headMap?["hidden"] is { } h ? checker.Int(h, "head.hidden", 0) ?? 0 : 0,
                HiddenActivation = headMap?["hidden_act"] is { } ha ? Act(ha, "head.hidden_act") : Activation.ReLU,
                HiddenAsConv = headMap?["hidden_conv"] is { } hc && (checker.Bool(hc, "head.hidden_conv") ?? false),
                Dropout = headMap?["dropout"] is { } d ? checker.Number(d, "head.dropout") ?? 0 : 0,
                ClassifierBias = headMap?["classifier_bias"] is not { } cb || (checker.Bool(cb, "head.classifier_bias") ?? true),
            };
            AuxiliaryHeadSpec? auxiliary = null;
            if (map["auxiliary"] is { } an && checker.Map(an, "auxiliary", AuxiliaryKeys) is { } am)
            {
                foreach (var k in AuxiliaryKeys)
                    if (!am.Has(k)) am.Missing(k);
                if (am["after"] is { } af && am["weight"] is { } aw && checker.Int(af, "auxiliary.after", 0) is { } after && checker.Number(aw, "auxiliary.weight") is { } weight)
                    auxiliary = new AuxiliaryHeadSpec(after, weight);
            }
            var schedule = DropSchedule.Depth;
            if (map["drop_schedule"] is { } dsn)
            {
                var text = checker.String(dsn, "drop_schedule");
                if (text == "epoch") schedule = DropSchedule.Epoch;
                else if (text is not null && text != "depth") checker.Error(dsn, "drop_schedule", $"must be depth or epoch, got '{text}'");
            }
            var name = map["name"] is { } nn ? checker.String(nn, "name") : null;
            var stem = map["stem"] is { } sn ? Block(sn, "stem") : null;
            var spec = new NetworkSpec
            {
                Name = name ?? "",
                Stem = stem ?? BlockSpec.Parse("cn_r1_k3_s1_c8"),
                Stages = stages.ToEquatableList(),
                Head = head,
                InChannels = map["in_channels"] is { } ic ? checker.Int(ic, "in_channels") ?? 3 : 3,
                Classes = map["classes"] is { } cl ? checker.Int(cl, "classes") ?? 1000 : 1000,
                Resolution = map["resolution"] is { } res ? checker.Int(res, "resolution") ?? 224 : 224,
                SmallInput = map["small_input"] is { } si && (checker.Bool(si, "small_input") ?? false),
                DropConnect = map["drop_connect"] is { } dc ? checker.Number(dc, "drop_connect") ?? 0 : 0,
                DropSchedule = schedule,
                Auxiliary = auxiliary,
                BnEps = map["bn_eps"] is { } be ? checker.Number(be, "bn_eps") ?? 1e-5 : 1e-5,
                BnMomentum = map["bn_momentum"] is { } bm ? checker.Number(bm, "bn_momentum") ?? 0.1 : 0.1,
                ChannelDivisor = map["channel_divisor"] is { } cd ? checker.Int(cd, "channel_divisor") ?? 8 : 8,
                Init = map["init"] is { } init ? Init(init) : InitScheme.Default,
                Cell = map["cell"] is { } cell ? Cell(cell) : null,
            };
            return checker.HasErrors ? null : spec;
        }

        private Activation Act(YamlNode n, string key)
        {
            if (n is YamlScalarNode { Value: { } v } && ActivationNames.TryParse(v, out var a)) return a;
            checker.Error(n, key, $"must be one of {string.Join(", ", ActivationNames.Names)}, got '{(n as YamlScalarNode)?.Value}'");
            return Activation.None;
        }

        private InitScheme Init(YamlNode n)
        {
            if (n is YamlScalarNode { Value: { } v } && Enum.TryParse<InitScheme>(v, ignoreCase: true, out var i) && !int.TryParse(v, out _)) return i;
            checker.Error(n, "init", $"must be one of default, mobilenet, efficientnet, got '{(n as YamlScalarNode)?.Value}'");
            return InitScheme.Default;
        }

        private Cells.Genotype? Cell(YamlNode node)
        {
            var m = checker.Map(node, "cell", CellKeys);
            if (m is null) return null;
            foreach (var k in CellKeys)
                if (!m.Has(k)) m.Missing(k);
            var ops = new List<Cells.CellOp>();
            if (m["ops"] is YamlMappingNode opsNode)
                foreach (var (k, v) in opsNode.Children)
                {
                    string opName = (k as YamlScalarNode)?.Value ?? "";
                    if (checker.String(v, $"cell.ops.{opName}") is not { } definition) continue;
                    try
                    {
                        ops.Add(Cells.CellOp.Parse(opName, definition));
                    }
                    catch (SpecFormatException e)
                    {
                        checker.Error(v, $"cell.ops.{opName}", e.Message);
                    }
                }
            else if (m["ops"] is { } bad) checker.Error(bad, "cell.ops", "must be a mapping of op names to definitions");
            Cells.CellGenotype? Read(string edges, string concat)
            {
                if (m[edges] is not YamlSequenceNode es)
                {
                    if (m[edges] is { } e) checker.Error(e, $"cell.{edges}", "must be a list of op@input edges");
                    return null;
                }
                var list = new List<Cells.GenotypeEdge>();
                foreach (var e in es)
                {
                    if (checker.String(e, $"cell.{edges}") is not { } text) continue;
                    try
                    {
                        list.Add(Cells.GenotypeEdge.Parse(text));
                    }
                    catch (SpecFormatException ex)
                    {
                        checker.Error(e, $"cell.{edges}", ex.Message);
                    }
                }
                var indices = m[concat] is { } cn ? checker.IntList(cn, $"cell.{concat}", 0) : null;
                return indices is null ? null : new Cells.CellGenotype(list.ToEquatableList(), indices.ToEquatableList());
            }
            var normal = Read("normal", "normal_concat");
            var reduce = Read("reduce", "reduce_concat");
            if (normal is null || reduce is null || checker.HasErrors) return null;
            try
            {
                return new Cells.Genotype(normal, reduce, ops.ToEquatableList()).Validate();
            }
            catch (SpecFormatException e)
            {
                checker.Error(node, "cell", e.Message);
                return null;
            }
        }

        public BlockSpec? Block(YamlNode n, string key)
        {
            if (n is not YamlScalarNode { Value: { Length: > 0 } text })
            {
                checker.Error(n, key, "must be a block spec string such as ir_r1_k3_s1_e6_c24");
                return null;
            }
            try
            {
                return BlockSpec.Parse(text);
            }
            catch (SpecFormatException e)
            {
                checker.Error(n, key, e.Message);
                return null;
            }
        }
    }
}
