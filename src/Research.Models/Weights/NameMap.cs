namespace Research.Models.Weights;

/// <summary>
/// Our tensor names against another library's, one pair per tensor of a built network, in our
/// state-dict order. Built by a family's rules (module path to module path), so every tensor is
/// covered or the map fails to build; both directions are one-to-one.
/// </summary>
public sealed class NameMap
{
    private readonly Dictionary<string, string> _toTheirs;
    private readonly Dictionary<string, string> _toOurs;

    public NameMap(string naming, IReadOnlyList<(string Ours, string Theirs)> pairs)
    {
        Naming = naming;
        Pairs = pairs;
        _toTheirs = new Dictionary<string, string>(StringComparer.Ordinal);
        _toOurs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (ours, theirs) in pairs)
        {
            if (!_toTheirs.TryAdd(ours, theirs)) throw new ArgumentException($"{naming} names: our tensor '{ours}' is mapped twice");
            if (!_toOurs.TryAdd(theirs, ours)) throw new ArgumentException($"{naming} names: '{theirs}' is the name of both '{_toOurs[theirs]}' and '{ours}'");
        }
    }

    /// <summary>ours, torchvision, timm or official.</summary>
    public string Naming { get; }
    public IReadOnlyList<(string Ours, string Theirs)> Pairs { get; }
    public IEnumerable<string> TheirNames => Pairs.Select(p => p.Theirs);

    public string Theirs(string ours) => _toTheirs[ours];
    public bool TryOurs(string theirs, out string ours) => _toOurs.TryGetValue(theirs, out ours!);

    /// <summary>The identity: our own names.</summary>
    public static NameMap Identity(IEnumerable<string> ourNames) => new(WeightNaming.Ours, ourNames.Select(n => (n, n)).ToList());
}
