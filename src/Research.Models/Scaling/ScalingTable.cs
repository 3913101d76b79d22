using Research.Core.Yaml;
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
        var checker = new YamlChecker(path);
        var root = checker.LoadRoot(File.ReadAllText(path), "name and members");
        var table = root is null ? null : Read(checker, root);
        if (checker.HasErrors || table is null) throw new SpecFormatException(string.Join("\n", checker.Errors));
        return table;
    }

    private static readonly string[] MemberKeys = ["name", "width", "depth", "resolution", "dropout"];

    private static ScalingTable? Read(YamlChecker checker, YamlMappingNode root)
    {
        var top = checker.Map(root, "", ["name", "members"])!;
        string? name = top["name"] is { } nn ? checker.String(nn, "name") : null;
        if (!top.Has("name")) top.Missing("name");
        var members = new List<ScalingMember>();
        if (top["members"] is YamlSequenceNode seq)
            for (int i = 0; i < seq.Children.Count; i++)
            {
                string at = $"members[{i}]";
                if (checker.Map(seq.Children[i], at, MemberKeys) is not { } m) continue;
                double? Number(string key, double min, double max)
                {
                    if (m[key] is { } v) return checker.Number(v, m.Sub(key), min, max);
                    m.Missing(key);
                    return null;
                }
                var (width, depth, resolution, dropout) = (Number("width", 0.01, 100), Number("depth", 0.01, 100), Number("resolution", 8, 100_000),
                    Number("dropout", 0, 0.99));
                string memberName = m["name"] is { } mn ? checker.String(mn, m.Sub("name")) ?? "" : $"m{i}";
                if (width is { } w && depth is { } d && resolution is { } r && dropout is { } p) members.Add(new ScalingMember(memberName, i, w, d, (int)r, p));
            }
        else if (top["members"] is { } bad) checker.Error(bad, "members", "must be a list of {name, width, depth, resolution, dropout}");
        else top.Missing("members", "must list at least one member");
        if (top["members"] is YamlSequenceNode { Children.Count: 0 } empty) checker.Error(empty, "members", "must list at least one member");
        return name is null ? null : new ScalingTable(name, members.ToEquatableList());
    }
}
