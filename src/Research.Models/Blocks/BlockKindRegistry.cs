namespace Research.Models.Blocks;

/// <summary>
/// The block kinds a spec can name, by code. Registration is explicit and a duplicate code
/// throws; <see cref="Default"/> holds the built-in kinds, and a user's assembly adds its own
/// with <see cref="Register"/> (the CLI does so for <c>--plugin</c>) before specs naming them are read.
/// </summary>
public sealed class BlockKindRegistry
{
    private readonly object _gate = new();
    private readonly Dictionary<string, BlockKind> _byCode = new(StringComparer.Ordinal);
    private readonly List<BlockKind> _kinds = [];
    private Dictionary<Type, BlockKind> _byModuleType = new();

    public static BlockKindRegistry Default { get; } = CreateDefault();

    public IReadOnlyList<BlockKind> Kinds
    {
        get
        {
            lock (_gate) return _kinds.ToArray();
        }
    }

    public void Register(BlockKind kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        if (string.IsNullOrEmpty(kind.Code) || !kind.Code.All(char.IsAsciiLetterLower))
            throw new ArgumentException($"block kind code '{kind.Code}' ({kind.GetType().FullName}): use lower-case letters only");
        lock (_gate)
        {
            if (_byCode.TryGetValue(kind.Code, out var existing))
                throw new ArgumentException($"block kind '{kind.Code}' ({kind.GetType().FullName}) is already registered by {existing.GetType().FullName}");
            var byType = new Dictionary<Type, BlockKind>(_byModuleType);
            foreach (var t in kind.ModuleTypes)
                if (!byType.TryAdd(t, kind))
                    throw new ArgumentException($"block kind '{kind.Code}': module type {t.Name} is already exported by kind '{byType[t].Code}'");
            _byCode.Add(kind.Code, kind);
            _kinds.Add(kind);
            _byModuleType = byType;
        }
    }

    public bool TryGet(string code, out BlockKind kind)
    {
        lock (_gate) return _byCode.TryGetValue(code, out kind!);
    }

    public BlockKind Get(string code) =>
        TryGet(code, out var k) ? k : throw new ArgumentException($"unknown block kind '{code}' (registered: {string.Join(", ", Kinds.Select(x => x.Code))})");

    /// <summary>The kind that builds modules of this class, or null.</summary>
    public BlockKind? ForModule(Type moduleType) => _byModuleType.GetValueOrDefault(moduleType);

    public IEnumerable<string> Codes => Kinds.Select(k => k.Code);

    private static BlockKindRegistry CreateDefault()
    {
        var r = new BlockKindRegistry();
        r.Register(BlockKinds.Conv);
        r.Register(BlockKinds.DepthwiseSeparable);
        r.Register(BlockKinds.InvertedResidual);
        r.Register(BlockKinds.Sandglass);
        r.Register(BlockKinds.GhostBottleneck);
        r.Register(BlockKinds.ShuffleV2);
        r.Register(BlockKinds.ShuffleV1);
        r.Register(BlockKinds.SepConv);
        r.Register(BlockKinds.DilConv);
        r.Register(BlockKinds.Cell);
        return r;
    }
}
