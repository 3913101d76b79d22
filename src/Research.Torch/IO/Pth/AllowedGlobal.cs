namespace Research.Torch.IO.Pth;

/// <summary>What an allowed global stands for when the pickle calls it or names it in a persistent id.</summary>
internal enum GlobalRole
{
    /// <summary><c>collections.OrderedDict</c>: called with no arguments, it makes an empty ordered dict.</summary>
    OrderedDict,

    /// <summary><c>torch._utils._rebuild_tensor_v2</c>: a tensor from a storage, offset, size and stride.</summary>
    RebuildTensorV2,

    /// <summary><c>torch._utils._rebuild_parameter</c>: an nn.Parameter around a tensor (saved when a dict holds Parameters).</summary>
    RebuildParameter,

    /// <summary>A typed storage class (<c>torch.FloatStorage</c>, ...): only ever the dtype of a persistent id.</summary>
    Storage,
}

/// <summary>
/// A global the pickle named, resolved against the allow-list. It is a C# stand-in for the
/// Python object: nothing is imported or called, <see cref="RestrictedUnpickler"/> implements
/// each role itself. Anything not listed here is refused where the pickle names it.
/// </summary>
internal sealed record AllowedGlobal(string Module, string Name, GlobalRole Role, ScalarType StorageDType = default)
{
    private static readonly AllowedGlobal[] All =
    [
        new("collections", "OrderedDict", GlobalRole.OrderedDict),
        new("torch._utils", "_rebuild_tensor_v2", GlobalRole.RebuildTensorV2),
        new("torch._utils", "_rebuild_parameter", GlobalRole.RebuildParameter),
        new("torch", "FloatStorage", GlobalRole.Storage, ScalarType.Float32),
        new("torch", "DoubleStorage", GlobalRole.Storage, ScalarType.Float64),
        new("torch", "HalfStorage", GlobalRole.Storage, ScalarType.Float16),
        new("torch", "BFloat16Storage", GlobalRole.Storage, ScalarType.BFloat16),
        new("torch", "LongStorage", GlobalRole.Storage, ScalarType.Int64),
        new("torch", "IntStorage", GlobalRole.Storage, ScalarType.Int32),
        new("torch", "ShortStorage", GlobalRole.Storage, ScalarType.Int16),
        new("torch", "CharStorage", GlobalRole.Storage, ScalarType.Int8),
        new("torch", "ByteStorage", GlobalRole.Storage, ScalarType.Byte),
        new("torch", "BoolStorage", GlobalRole.Storage, ScalarType.Bool),
    ];

    private static readonly Dictionary<string, AllowedGlobal> ByFullName = All.ToDictionary(g => g.FullName, StringComparer.Ordinal);

    /// <summary>Python's dotted name, e.g. <c>torch._utils._rebuild_tensor_v2</c>.</summary>
    public string FullName => $"{Module}.{Name}";

    /// <summary>The allow-list, for refusals that say what would have been accepted.</summary>
    public static string ListText { get; } =
        string.Join(", ", All.Where(g => g.Role != GlobalRole.Storage).Select(g => g.FullName)) +
        " and the typed storages torch." + string.Join(", torch.", All.Where(g => g.Role == GlobalRole.Storage).Select(g => g.Name));

    /// <summary>The allowed global with exactly this module and name (case-sensitive, as Python imports are), or null.</summary>
    public static AllowedGlobal? Find(string module, string name) =>
        ByFullName.TryGetValue($"{module}.{name}", out var found) && found.Module == module ? found : null;

    public override string ToString() => FullName;
}
