using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Research.Experiments.Config;

/// <summary>
/// The resolved config as canonical JSON: snake_case keys in declaration order, every default
/// written out, nulls kept (but for a key added later and left out while unset, so runs without it
/// keep their hash: stages.report.groups and the top-level kernels), numbers in their shortest round-trip form, no whitespace, plus the
/// SHA-256 of every input file. Its hash names the run directory, so the same experiment always
/// lands in the same folder and any change of setting or input lands in a new one.
/// </summary>
public static class CanonicalJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static JsonNode ConfigNode(ExperimentConfig c) => JsonSerializer.SerializeToNode(c, Options)!;

    public static string Of(ExperimentConfig c)
    {
        var inputs = new JsonObject();
        foreach (var (k, v) in c.Inputs.OrderBy(kv => kv.Key, StringComparer.Ordinal)) inputs[k] = v;
        var root = new JsonObject { ["config"] = ConfigNode(c), ["inputs"] = inputs };
        return root.ToJsonString(Options);
    }

    public static string Hash(ExperimentConfig c) => Sha256Hex(Encoding.UTF8.GetBytes(Of(c)))[..8];

    public static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static string FileSha256(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(f));
    }
}
