using Research.Models.Weights;

namespace Research.Models.Zoo;

/// <summary>
/// A registered model: its name, its family (whose reference implementation names its tensors:
/// <see cref="Weights.ModelFamily"/>), what it is, whether it takes a width multiplier, and its spec factory.
/// </summary>
public sealed record ModelEntry(string Name, string Family, string Description, bool HasWidthMultiplier, Func<ModelOptions, NetworkSpec> Factory);

/// <summary>
/// Named reference networks. Registration is explicit and a duplicate name throws; lookups
/// are by exact name. <see cref="Default"/> holds the zoo.
/// </summary>
public sealed class ModelRegistry
{
    private readonly List<ModelEntry> _entries = new();

    public static ModelRegistry Default { get; } = CreateDefault();

    public IReadOnlyList<ModelEntry> Entries => _entries;

    public void Register(ModelEntry entry)
    {
        if (_entries.Any(e => e.Name == entry.Name)) throw new ArgumentException($"model '{entry.Name}' is already registered");
        _entries.Add(entry);
    }

    public bool Contains(string name) => _entries.Any(e => e.Name == name);

    /// <summary>The entry a spec was built from (by its exact name), or null for specs of other origins (files, scaled members, genotypes).</summary>
    public ModelEntry? Find(string name) => _entries.FirstOrDefault(e => e.Name == name);

    public ModelEntry Get(string name) =>
        _entries.FirstOrDefault(e => e.Name == name)
        ?? throw new ArgumentException($"unknown model '{name}'; registered: {string.Join(", ", _entries.Select(e => e.Name))}");

    public NetworkSpec Create(string name, ModelOptions? options = null)
    {
        var entry = Get(name);
        var o = options ?? new ModelOptions();
        o.Validate(name);
        if (o.WidthMultiplier != 1.0 && !entry.HasWidthMultiplier)
            throw new ArgumentException($"{name} has no width multiplier (its widths are fixed per variant)");
        var spec = entry.Factory(o) with { Classes = o.Classes, InChannels = o.InChannels, SmallInput = o.SmallInput };
        if (o.Resolution is { } r) spec = spec with { Resolution = r };
        return spec.Validate();
    }

    private static ModelRegistry CreateDefault()
    {
        var r = new ModelRegistry();
        r.Register(new("efficientnet_b0", ModelFamily.EfficientNet, "EfficientNet-B0 (Tan & Le 2019), torchvision's layout", true, EfficientNet.B0));
        for (int i = 1; i < 8; i++)
        {
            int member = i;
            r.Register(new($"efficientnet_b{member}", ModelFamily.EfficientNet, $"EfficientNet-B{member}: B0 scaled by the official table, torchvision's layout", false,
                o => EfficientNet.Member(member, o)));
        }
        r.Register(new("mobilenet_v1", ModelFamily.MobileNetV1, "MobileNetV1 (Howard et al. 2017), the paper's Table 1; --width-mult is alpha, --resolution rho", true, MobileNetV1.Create));
        r.Register(new("mobilenet_v2", ModelFamily.MobileNetV2, "MobileNetV2 (Sandler et al. 2018), torchvision's layout", true, MobileNetV2.Create));
        r.Register(new("mobilenet_v3_large", ModelFamily.MobileNetV3, "MobileNetV3-Large (Howard et al. 2019), torchvision's layout", true, MobileNetV3.Large));
        r.Register(new("mobilenet_v3_small", ModelFamily.MobileNetV3, "MobileNetV3-Small (Howard et al. 2019), torchvision's layout", true, MobileNetV3.Small));
        r.Register(new("shufflenet_v2_x0_5", ModelFamily.ShuffleNetV2, "ShuffleNetV2 0.5× (Ma et al. 2018), torchvision's layout", false,
            o => ShuffleNetV2.Create("shufflenet_v2_x0_5", [48, 96, 192], 1024)));
        r.Register(new("shufflenet_v2_x1_0", ModelFamily.ShuffleNetV2, "ShuffleNetV2 1.0×, torchvision's layout", false,
            o => ShuffleNetV2.Create("shufflenet_v2_x1_0", [116, 232, 464], 1024)));
        r.Register(new("shufflenet_v2_x1_5", ModelFamily.ShuffleNetV2, "ShuffleNetV2 1.5×, torchvision's layout", false,
            o => ShuffleNetV2.Create("shufflenet_v2_x1_5", [176, 352, 704], 1024)));
        r.Register(new("shufflenet_v2_x2_0", ModelFamily.ShuffleNetV2, "ShuffleNetV2 2.0×, torchvision's layout", false,
            o => ShuffleNetV2.Create("shufflenet_v2_x2_0", [244, 488, 976], 2048)));
        foreach (var (groups, size) in ShuffleNetV1.Widths.Keys)
        {
            var (g, z) = (groups, size);
            r.Register(new(ShuffleNetV1.Name(g, z), ModelFamily.ShuffleNetV1,
                $"ShuffleNet v1 {z}x, g = {g} (Zhang et al. 2018), {(g is 3 or 8 ? "the official code's widths" : "the paper's Table 1 widths")}", false,
                _ => ShuffleNetV1.Create(g, z)));
        }
        r.Register(new("ghostnet_1_0", ModelFamily.GhostNet, "GhostNet 1.0× (Han et al. 2020), the official code's layout", true, GhostNet.Create));
        r.Register(new("mobilenext_1_0", ModelFamily.MobileNeXt, "MobileNeXt 1.0× (Zhou et al. 2020), the official code's layout", true, MobileNeXt.Create));
        return r;
    }
}
