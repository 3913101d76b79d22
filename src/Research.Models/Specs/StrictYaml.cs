using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Research.Models.Specs;

/// <summary>
/// Strict reading of a YAML data file (specs, search spaces): every error is a
/// <see cref="SpecFormatException"/> naming the file, the line and the key.
/// </summary>
public class StrictYaml(string source)
{
    public string Source { get; } = source;

    /// <summary>Parses one document whose root must be a mapping; <paramref name="expected"/> says what it should hold.</summary>
    public static YamlMappingNode LoadRoot(string yaml, string source, string expected)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new SpecFormatException($"{source}:{e.Start.Line}: invalid YAML: {e.Message}");
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new SpecFormatException($"{source}: expected one YAML mapping ({expected})");
        return root;
    }

    public SpecFormatException Error(YamlNode node, string key, string expected) =>
        new($"{Source}:{node.Start.Line}: '{key}' must be {expected}");

    /// <summary>The keys of a mapping, each allowed and given once; <paramref name="key"/> null for the file's top level.</summary>
    public Dictionary<string, YamlNode> Mapping(YamlNode node, string? key, string[] allowed)
    {
        if (node is not YamlMappingNode m) throw Error(node, key ?? "the file", "a mapping");
        var d = new Dictionary<string, YamlNode>();
        foreach (var (k, v) in m.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            if (!allowed.Contains(name))
                throw new SpecFormatException($"{Source}:{k.Start.Line}: unknown key '{name}'{(key is null ? "" : $" in '{key}'")} (allowed: {string.Join(", ", allowed)})");
            if (!d.TryAdd(name, v)) throw new SpecFormatException($"{Source}:{k.Start.Line}: key '{name}' is given twice");
        }
        return d;
    }

    public string String(YamlNode n, string key) =>
        n is YamlScalarNode { Value: { Length: > 0 } v } ? v : throw Error(n, key, "a non-empty string");

    public int Int(YamlNode n, string key) =>
        n is YamlScalarNode { Value: { } v } && int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) ? i : throw Error(n, key, "an integer");

    public double Double(YamlNode n, string key) =>
        n is YamlScalarNode { Value: { } v } && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
            ? d : throw Error(n, key, "a number");

    public bool Bool(YamlNode n, string key) =>
        n is YamlScalarNode { Value: "true" or "false" } s ? s.Value == "true" : throw Error(n, key, "true or false");
}
