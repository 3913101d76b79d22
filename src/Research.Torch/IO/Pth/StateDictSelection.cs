namespace Research.Torch.IO.Pth;

/// <summary>
/// Which tensors of an unpickled file are its state dict. The top object must be a dict (or
/// OrderedDict) of name → tensor; or a checkpoint dict holding one under <c>state_dict</c> or
/// <c>model</c>, its other entries (epoch, optimizer state...) ignored. Exactly one level of
/// wrapping is accepted, so a file is never read as something it does not clearly say it is.
/// </summary>
internal sealed record StateDictSelection(IReadOnlyList<KeyValuePair<string, PickledTensor>> Tensors, string? CheckpointKey)
{
    /// <summary>The keys under which a checkpoint may hold its state dict, in the order they are looked for.</summary>
    public static readonly IReadOnlyList<string> CheckpointKeys = ["state_dict", "model"];

    private const int MaxKeysShown = 20;

    public static StateDictSelection Select(object? root, string path)
    {
        if (root is not PickleDict top)
            throw new PthFormatException(path, $"the pickled object is {PickleValue.Describe(root)}, not a dict of name → tensor (a state dict)");

        if (top.Entries.All(kv => kv.Value is PickledTensor))
            return new StateDictSelection(NamedTensors(top, path, null), null);

        var wrapped = CheckpointKeys
            .Select(key => top.TryGetValue(key, out var inner) && inner is PickleDict dict && dict.Entries.All(kv => kv.Value is PickledTensor) ? key : null)
            .OfType<string>()
            .ToList();
        if (wrapped.Count == 1 && top.TryGetValue(wrapped[0], out var chosen))
            return new StateDictSelection(NamedTensors((PickleDict)chosen!, path, wrapped[0]), wrapped[0]);
        if (wrapped.Count > 1)
            throw new PthFormatException(path,
                $"the checkpoint holds name → tensor dicts under both {string.Join(" and ", wrapped.Select(k => PickleValue.Quote(k)))}; it is not clear which is the state dict");

        // Say why nothing fits: a state_dict/model entry that is not name → tensor, a wrapper
        // without such an entry, or a plain dict with a non-tensor value.
        foreach (var key in CheckpointKeys)
            if (top.TryGetValue(key, out var inner) && inner is PickleDict dict)
            {
                var bad = dict.Entries.First(kv => kv.Value is not PickledTensor);
                throw new PthFormatException(path,
                    $"the checkpoint's {PickleValue.Quote(key)} maps {PickleValue.Quote(bad.Key)} to {PickleValue.Describe(bad.Value)}, not a tensor");
            }
        if (top.Entries.Any(kv => kv.Value is PickleDict))
            throw new PthFormatException(path,
                $"the top-level dict holds dicts but no 'state_dict' or 'model' of name → tensor; its keys are {Keys(top)}");
        var first = top.Entries.First(kv => kv.Value is not PickledTensor);
        throw new PthFormatException(path,
            $"the state dict maps {PickleValue.Quote(first.Key)} to {PickleValue.Describe(first.Value)}, not a tensor (keys: {Keys(top)})");
    }

    private static List<KeyValuePair<string, PickledTensor>> NamedTensors(PickleDict dict, string path, string? within)
    {
        var tensors = new List<KeyValuePair<string, PickledTensor>>(dict.Count);
        foreach (var (key, value) in dict.Entries)
        {
            if (key is not string name)
                throw new PthFormatException(path,
                    $"{(within is null ? "the state dict" : $"the checkpoint's '{within}'")} has {PickleValue.Describe(key)} as a key; tensor names must be str");
            tensors.Add(new(name, (PickledTensor)value!));
        }
        return tensors;
    }

    private static string Keys(PickleDict dict)
    {
        var shown = dict.Entries.Take(MaxKeysShown).Select(kv => PickleValue.Quote(kv.Key));
        return string.Join(", ", shown) + (dict.Count > MaxKeysShown ? $", ... ({dict.Count} in all)" : "");
    }
}
