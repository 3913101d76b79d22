using Research.Core.IO;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Research.Models.Cells;

/// <summary>
/// genotype.json: a genotype, the layout that stacks it into a network, and its one-line form
/// (for people; ignored when read). <c>research train --model genotype.json</c> and
/// <c>research scale --base genotype.json</c> read it.
/// </summary>
public sealed record GenotypeFile(string Name, Genotype Genotype, CellNetworkLayout Network)
{
    public static bool IsGenotypeFile(string path) => path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    public NetworkSpec ToSpec() => Network.ToSpec(Genotype, Name);

    public string ToJson() => new JsonObject
    {
        ["name"] = Name,
        ["text"] = Genotype.ToString(),
        ["genotype"] = Genotype.ToJsonObject(),
        ["network"] = Network.ToJsonObject(),
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    public void Save(string path) => DurableFile.WriteAllText(path, ToJson());

    public static GenotypeFile Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"genotype file not found: {path}", path);
        return Parse(File.ReadAllText(path), path);
    }

    public static GenotypeFile Parse(string json, string source)
    {
        JsonNode? root;
        try
        {
            // A repeated key would otherwise surface later, as an ArgumentException from the first enumeration.
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new SpecFormatException($"{source}: invalid JSON: {e.Message}");
        }
        if (root is not JsonObject o) throw new SpecFormatException($"{source}: expected a JSON object with name, genotype and network");
        string[] allowed = ["name", "text", "genotype", "network"];
        foreach (var (k, _) in o)
            if (!allowed.Contains(k)) throw new SpecFormatException($"{source}: unknown key '{k}' (allowed: {string.Join(", ", allowed)})");
        var g = o["genotype"] as JsonObject ?? throw new SpecFormatException($"{source}: 'genotype' is missing or not an object");
        var name = o["name"] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : Path.GetFileNameWithoutExtension(source);
        var network = o["network"] is JsonObject n ? CellNetworkLayout.FromJsonObject(n, source) : new CellNetworkLayout();
        return new GenotypeFile(name, Genotype.FromJsonObject(g, source), network);
    }
}
