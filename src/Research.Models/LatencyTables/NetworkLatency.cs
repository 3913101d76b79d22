using System.Security.Cryptography;
using System.Text;

namespace Research.Models.LatencyTables;

/// <summary>
/// A whole network measured beside its parts when the table was built (same engine, threads, batch and timing): its measured
/// milliseconds, the sum of its parts' entries as measured then and, for a cell network, how much of that sum each cell op
/// (by its definition, e.g. <c>max_pool_k3</c>) took. The table's calibration is fitted to these rows.
/// </summary>
public sealed record NetworkLatency(string Name, string SpecHash, int Channels, int Resolution, double MeasuredMs, double PartsMs,
    IReadOnlyDictionary<string, double>? OpParts = null)
{
    /// <summary>What a network row is keyed by: its name and a short hash of its spec's text (two networks of one name stay apart).</summary>
    public (string Name, string SpecHash) Key => (Name, SpecHash);

    /// <summary>Measured over the sum of parts: how much the whole takes beyond its parts run alone.</summary>
    public double Ratio => MeasuredMs / PartsMs;

    /// <summary>The cell ops' share of <see cref="PartsMs"/> by op definition (empty for a block network or a row written before it was kept).</summary>
    public IReadOnlyDictionary<string, double> Ops => OpParts ?? Empty;

    private static readonly Dictionary<string, double> Empty = [];

    /// <summary>A short hash of the spec's YAML text.</summary>
    public static string HashOf(NetworkSpec spec) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(SpecYaml.ToYaml(spec))))[..8].ToLowerInvariant();
}
