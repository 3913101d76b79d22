using System.Globalization;
using Research.Models.Specs;
using YamlDotNet.RepresentationModel;

namespace Research.Models.Scaling;

/// <summary>
/// A named list of members (table mode). <see cref="EfficientNet"/> is the official B0–B7 table;
/// users can load their own from YAML:
/// <code>
/// name: mine
/// members:
///   - {name: m0, width: 1.0, depth: 1.0, resolution: 224, dropout: 0.2}
/// </code>
/// </summary>
public sealed record ScalingTable(string Name, EquatableList<ScalingMember> Members)
{
    /// <summary>EfficientNet B0–B7 (width, depth, resolution, dropout), as published and as torchvision uses them.</summary>
    public static ScalingTable EfficientNet { get; } = new("efficientnet",
        new (double w, double d, int r, double p)[]
        {
            (1.0, 1.0, 224, 0.2), (1.0, 1.1, 240, 0.2), (1.1, 1.2, 260, 0.3), (1.2, 1.4, 300, 0.3),
            (1.4, 1.8, 380, 0.4), (1.6, 2.2, 456, 0.4), (1.8, 2.6, 528, 0.5), (2.0, 3.1, 600, 0.5),
        }.Select((m, i) => new ScalingMember($"b{i}", i, m.w, m.d, m.r, m.p)).ToEquatableList());

    public static ScalingTable Named(string name) => name switch
    {
        "efficientnet" => EfficientNet,
        _ => throw new ArgumentException($"unknown scaling table '{name}' (built in: efficientnet; or give a YAML file)"),
    };

    /// <summary>Members whose φ (their index) is in the list; all when phis is null.</summary>
    public IEnumerable<ScalingMember> Select(IReadOnlyCollection<double>? phis)
    {
        if (phis is null) return Members;
        foreach (var p in phis)
            if (!Members.Any(m => m.Phi == p))
                throw new ArgumentException($"table '{Name}' has no member at phi {p} (it has {string.Join(", ", Members.Select(m => m.Phi))})");
        return Members.Where(m => phis.Contains(m.Phi));
    }

    public static ScalingTable Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"scaling table not found: {path}", path);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(File.ReadAllText(path)));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new SpecFormatException($"{path}:{e.Start.Line}: invalid YAML: {e.Message}");
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new SpecFormatException($"{path}: expected a mapping with 'name' and 'members'");
        string? name = null;
        var members = new List<ScalingMember>();
        foreach (var (k, v) in root.Children)
        {
            var key = (k as YamlScalarNode)?.Value;
            if (key == "name") name = (v as YamlScalarNode)?.Value;
            else if (key == "members" && v is YamlSequenceNode seq)
                foreach (var item in seq)
                {
                    if (item is not YamlMappingNode m) throw new SpecFormatException($"{path}:{item.Start.Line}: each member must be a mapping");
                    members.Add(ParseMember(path, m, members.Count));
                }
            else throw new SpecFormatException($"{path}:{k.Start.Line}: unknown key '{key}' (allowed: name, members)");
        }
        if (name is null) throw new SpecFormatException($"{path}: missing 'name'");
        if (members.Count == 0) throw new SpecFormatException($"{path}: 'members' must list at least one member");
        return new ScalingTable(name, members.ToEquatableList());
    }

    private static ScalingMember ParseMember(string path, YamlMappingNode m, int index)
    {
        var values = new Dictionary<string, string>();
        foreach (var (k, v) in m.Children)
        {
            var key = (k as YamlScalarNode)?.Value ?? "";
            if (key is not ("name" or "width" or "depth" or "resolution" or "dropout"))
                throw new SpecFormatException($"{path}:{k.Start.Line}: unknown key '{key}' in member {index} (allowed: name, width, depth, resolution, dropout)");
            values[key] = (v as YamlScalarNode)?.Value ?? "";
        }
        double Num(string key, double min, double max)
        {
            if (!values.TryGetValue(key, out var s)) throw new SpecFormatException($"{path}:{m.Start.Line}: member {index} is missing '{key}'");
            if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) || x < min || x > max)
                throw new SpecFormatException($"{path}:{m.Start.Line}: member {index} '{key}' must be a number in [{min}, {max}], got '{s}'");
            return x;
        }
        return new ScalingMember(values.GetValueOrDefault("name") ?? $"m{index}", index, Num("width", 0.01, 100), Num("depth", 0.01, 100),
            (int)Num("resolution", 8, 100_000), Num("dropout", 0, 0.99));
    }
}
