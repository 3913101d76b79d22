using Research.Models.Networks;
using Research.Torch;

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

    public static ImportReport Load(Network net, IReadOnlyDictionary<string, Tensor> file, string source, bool newClassifier)
    {
        var map = MatchNaming(net, file.Keys, source);
        var own = net.state_dict();
        try
        {
            var problems = new List<string>();
            var skipped = new List<string>();
            var take = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var (ours, theirs) in map.Pairs)
            {
                if (!file.TryGetValue(theirs, out var t)) continue; // a BN step count an older file does not carry
                var target = own[ours];
                if (t.shape.SequenceEqual(target.shape)) take[ours] = t;
                else if (newClassifier && ClassifierTensors.Contains(ours))
                    skipped.Add($"{ours}: file [{string.Join(", ", t.shape)}], model [{string.Join(", ", target.shape)}]");
                else
                    problems.Add($"tensor '{theirs}'{(theirs == ours ? "" : $" (our {ours})")}: file [{string.Join(", ", t.shape)}], model [{string.Join(", ", target.shape)}]" +
                                 Hint(ours, t, target));
            }
            if (problems.Count > 0)
                throw new ArgumentException($"{source}: {problems.Count} tensor(s) do not fit {net.Spec.Name}, nothing was loaded: {string.Join("; ", problems.Take(8))}" +
                                            (problems.Count > 8 ? "; …" : ""));
            var converted = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            try
            {
                foreach (var (name, t) in take)
                    converted[name] = t.dtype == own[name].dtype && t.device == own[name].device ? t.alias() : t.to(own[name].dtype).to(own[name].device);
                net.load_state_dict(converted, strict: false);
            }
            finally
            {
                foreach (var t in converted.Values) t.Dispose();
            }
            return new ImportReport(source, map.Naming, take.Count, skipped);
        }
        finally
        {
            foreach (var t in own.Values) t.Dispose();
        }
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
            $"closest, {closest.Map.Naming}: {closest.Missing.Count} missing (e.g. {string.Join(", ", closest.Missing.Take(3))}), " +
            $"{closest.Unexpected.Count} unexpected (e.g. {string.Join(", ", closest.Unexpected.Take(3))})");
    }

    private static string Hint(string ours, Tensor file, Tensor model)
    {
        // An RGB stem offered to a grayscale model: the data can be repeated to 3 channels instead.
        if (ours.StartsWith("stem.", StringComparison.Ordinal) && file.dim() == 4 && model.dim() == 4 && file.size(1) != model.size(1))
            return $" (the file's stem takes {file.size(1)} input channels: build the model with in_channels {file.size(1)})";
        if (ClassifierTensors.Contains(ours)) return " (another class count: fine-tuning starts the classifier afresh)";
        return "";
    }
}
