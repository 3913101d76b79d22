using Research.Models.Zoo;

namespace Research.Models.Weights;

/// <summary>
/// The explicit table of name maps: for each registered family, the namings its weights have
/// elsewhere. A network's family is its registry entry's (found by the spec's exact name); specs of
/// other origins (spec files, scaled members, genotype cell networks) have only our own names.
/// </summary>
public sealed class NameMaps
{
    private readonly List<(string Family, string Naming, Func<Network, ModuleNames> Modules)> _maps = [];

    public static NameMaps Default { get; } = CreateDefault();

    private void Register(string family, string naming, Func<Network, ModuleNames> modules)
    {
        if (_maps.Any(m => m.Family == family && m.Naming == naming)) throw new ArgumentException($"the {naming} names of {family} are registered twice");
        _maps.Add((family, naming, modules));
    }

    private static NameMaps CreateDefault()
    {
        var maps = new NameMaps();
        maps.Register(ModelFamily.EfficientNet, WeightNaming.Torchvision, TorchvisionMBConvNames.EfficientNet);
        maps.Register(ModelFamily.EfficientNet, WeightNaming.Timm, TimmEfficientNetNames.Modules);
        maps.Register(ModelFamily.MobileNetV2, WeightNaming.Torchvision, TorchvisionMobileNetV2Names.Modules);
        maps.Register(ModelFamily.MobileNetV3, WeightNaming.Torchvision, TorchvisionMBConvNames.MobileNetV3);
        maps.Register(ModelFamily.ShuffleNetV2, WeightNaming.Torchvision, TorchvisionShuffleNetV2Names.Modules);
        maps.Register(ModelFamily.ShuffleNetV1, WeightNaming.Official, OfficialShuffleNetV1Names.Modules);
        maps.Register(ModelFamily.GhostNet, WeightNaming.Official, OfficialGhostNetNames.Modules);
        maps.Register(ModelFamily.MobileNeXt, WeightNaming.Official, OfficialMobileNeXtNames.Modules);
        return maps;
    }

    /// <summary>The family of a built network (null when it is not a registered model).</summary>
    public static string? FamilyOf(Network net) => ModelRegistry.Default.Find(net.Spec.Name)?.Family;

    /// <summary>The namings a network's weights can have: ours, then its family's.</summary>
    public IReadOnlyList<string> NamingsFor(Network net) =>
        [WeightNaming.Ours, .. _maps.Where(m => m.Family == FamilyOf(net)).Select(m => m.Naming)];

    /// <summary>The map from our tensor names to <paramref name="naming"/>'s for this network.</summary>
    public NameMap For(Network net, string naming)
    {
        var ours = net.state_dict();
        var names = ours.Keys.ToList();
        foreach (var t in ours.Values) t.Dispose();
        if (naming == WeightNaming.Ours) return NameMap.Identity(names);
        string? family = FamilyOf(net);
        var map = _maps.FirstOrDefault(m => m.Family == family && m.Naming == naming);
        if (map.Modules is null)
            throw new ArgumentException($"{net.Spec.Name} has no {naming} names " +
                                        $"(they exist for: {string.Join(", ", _maps.Where(m => m.Naming == naming).Select(m => m.Family).Distinct())}; names available here: {string.Join(", ", NamingsFor(net))})");
        return map.Modules(net).Build(names);
    }
}
