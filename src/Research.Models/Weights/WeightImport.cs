using Research.Torch.IO;

namespace Research.Models.Weights;

/// <summary>What a weights file put into a network: which naming it used, how many tensors loaded, and what was left as it was.</summary>
public sealed record ImportReport(string Source, string Naming, int Loaded, IReadOnlyList<string> Skipped)
{
    public override string ToString() =>
        $"{Source}: {Loaded} tensors loaded ({Naming} names)" + (Skipped.Count == 0 ? "" : $"; kept freshly initialised: {string.Join("; ", Skipped)}");
}

/// <summary>
/// Loads a state dict written under any naming a network's family has (ours, torchvision's,
/// timm's, the official code's) into that network. The naming is the one whose tensor names are
/// the file's (found by comparing the explicit name maps, never by guessing from substrings). All
/// shapes are checked before anything is copied: with <c>newClassifier</c>, a final classifier of
/// another class count is skipped and reported (transfer learning); any other difference is an
/// error naming the tensor and both shapes, and nothing is loaded.
/// </summary>
public static class WeightImport
{
    /// <summary>Our classifier's tensors, the only ones a class-count change may skip.</summary>
    private static readonly string[] ClassifierTensors = ["classifier.weight", "classifier.bias"];

    /// <summary>
    /// Loads the weights file at <paramref name="path"/> into the network: the file's names, dtypes and
    /// shapes are checked against the network before any tensor data is read or inflated, so a file with
    /// tensors the network does not have (however large) is refused at the cost of reading its header.
    /// </summary>
    public static ImportReport LoadFile(Network net, string path, bool newClassifier, Device device)
    {
        using var tensors = WeightFile.Load(path, device, entries => Plan(net, entries.ToDictionary(e => e.Name, e => e.Shape, StringComparer.Ordinal), path, newClassifier));
        return Load(net, tensors, path, newClassifier);
    }

    public static ImportReport Load(Network net, IReadOnlyDictionary<string, Tensor> file, string source, bool newClassifier)
    {
        var own = net.state_dict();
        try
        {
            var (map, takeNames, skipped) = Plan(net, file.ToDictionary(kv => kv.Key, kv => kv.Value.shape, StringComparer.Ordinal), source, newClassifier);
            var converted = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            try
            {
                foreach (var (ours, theirs) in takeNames)
                {
                    var t = file[theirs];
                    converted[ours] = t.dtype == own[ours].dtype && t.device == own[ours].device ? t.alias() : t.to(own[ours].dtype).to(own[ours].device);
                }
                net.load_state_dict(converted, strict: false);
            }
            finally
            {
                foreach (var t in converted.Values) t.Dispose();
            }
            return new ImportReport(source, map.Naming, takeNames.Count, skipped);
        }
        finally
        {
            foreach (var t in own.Values) t.Dispose();
        }
    }

    /// <summary>
    /// What a file of these tensor names and shapes puts into the network: its naming, the tensors taken
    /// (ours → theirs) and the classifier tensors skipped; any other difference is an error naming the
    /// tensor and both shapes. Nothing is read or copied here.
    /// </summary>
    private static (NameMap Map, List<(string Ours, string Theirs)> Take, List<string> Skipped) Plan(
        Network net, IReadOnlyDictionary<string, long[]> file, string source, bool newClassifier)
    {
        var map = MatchNaming(net, file.Keys, source);
        var own = OwnShapes(net);
        var problems = new List<string>();
        var skipped = new List<string>();
        var take = new List<(string, string)>();
        foreach (var (ours, theirs) in map.Pairs)
        {
            if (!file.TryGetValue(theirs, out var shape)) continue; // a BN step count an older file does not carry
            var target = own[ours];
            if (shape.SequenceEqual(target)) take.Add((ours, theirs));
            else if (newClassifier && ClassifierTensors.Contains(ours))
                skipped.Add($"{ours}: file [{string.Join(", ", shape)}], model [{string.Join(", ", target)}]");
            else
                problems.Add($"tensor '{theirs}'{(theirs == ours ? "" : $" (our {ours})")}: file [{string.Join(", ", shape)}], model [{string.Join(", ", target)}]" +
                             Hint(ours, shape, target));
        }
        if (problems.Count > 0)
            throw new ArgumentException($"{source}: {problems.Count} tensor(s) do not fit {net.Spec.Name}, nothing was loaded: {string.Join("; ", problems.Take(8))}" +
                                        (problems.Count > 8 ? "; …" : ""));
        return (map, take, skipped);
    }

    /// <summary>
    /// The naming whose names are the file's: every file tensor is one of ours under it, and ours
    /// it lacks are at most BN step counters. Otherwise an error saying what the closest naming misses.
    /// </summary>
    public static NameMap MatchNaming(Network net, IEnumerable<string> fileNames, string source)
    {
        var names = fileNames.ToHashSet(StringComparer.Ordinal);
        var tried = new List<(NameMap Map, List<string> Missing, List<string> Unexpected)>();
        foreach (var naming in NameMaps.Default.NamingsFor(net))
        {
            var map = NameMaps.Default.For(net, naming);
            var theirs = map.TheirNames.ToHashSet(StringComparer.Ordinal);
            var unexpected = names.Where(n => !theirs.Contains(n)).ToList();
            var missing = theirs.Where(n => !names.Contains(n) && !n.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToList();
            if (unexpected.Count == 0 && missing.Count == 0) return map;
            tried.Add((map, missing, unexpected));
        }
        var closest = tried.MinBy(t => t.Missing.Count + t.Unexpected.Count);
        throw new ArgumentException(
            $"{source}: its {names.Count} tensor names are not {net.Spec.Name}'s under any naming it has ({string.Join(", ", tried.Select(t => t.Map.Naming))}); " +
            $"closest, {closest.Map.Naming}: {Some(closest.Missing, "missing")}, {Some(closest.Unexpected, "unexpected")}");
    }

    private static string Some(List<string> names, string what) => names.Count == 0 ? $"0 {what}" : $"{names.Count} {what} (e.g. {string.Join(", ", names.Take(3))})";

    private static Dictionary<string, long[]> OwnShapes(Network net)
    {
        var state = net.state_dict();
        try
        {
            return state.ToDictionary(kv => kv.Key, kv => kv.Value.shape, StringComparer.Ordinal);
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    private static string Hint(string ours, long[] file, long[] model)
    {
        // An RGB stem offered to a grayscale model: the data can be repeated to 3 channels instead.
        if (ours.StartsWith("stem.", StringComparison.Ordinal) && file.Length == 4 && model.Length == 4 && file[1] != model[1])
            return $" (the file's stem takes {file[1]} input channels: build the model with in_channels {file[1]})";
        if (ClassifierTensors.Contains(ours)) return " (another class count: fine-tuning starts the classifier afresh)";
        return "";
    }
}
