using System.Text.Json;
using Research.Core.Csv;
using Research.Core.IO;
using Research.Core.Text;

namespace Research.Training;

/// <summary>
/// What `research eval` leaves in its folder: eval.json (top-1, top-5, loss, count, the weights and
/// their naming), per_class.csv (each class's count and accuracy) and confusion.csv (true class ×
/// predicted output). They are written holding the lock (<see cref="RunDirectoryLock"/>) of the
/// training run they go into (eval/ inside a run's folder: refused while a trainer writes it), or
/// else of their own folder.
/// </summary>
public static class EvalReport
{
    public const string SummaryFile = "eval.json";
    public const string PerClassFile = "per_class.csv";
    public const string ConfusionFile = "confusion.csv";

    /// <param name="run">the training run whose weights were scored (null: weights from elsewhere)</param>
    /// <param name="confusion">counts by true class (rows) and predicted output (columns)</param>
    /// <param name="classNames">the classes' names (outputs beyond them are named by their index)</param>
    public static void Write(string dir, RunFiles? run, EvalResult result, long[,] confusion, IReadOnlyList<string> classNames, string model, string weights, string dataset,
        string naming)
    {
        var full = Path.GetFullPath(dir);
        bool inRun = run is not null && (full + "/").StartsWith(Path.GetFullPath(run.Dir).TrimEnd('/') + "/", StringComparison.Ordinal);
        using var held = RunDirectoryLock.Acquire(inRun ? run!.Dir : full);
        int classes = confusion.GetLength(0), outputs = confusion.GetLength(1);
        string Name(int i) => i < classNames.Count ? classNames[i] : Numbers.Integer(i);
        DurableFile.WriteAllText(Path.Combine(dir, SummaryFile), JsonSerializer.Serialize(new
        {
            model, weights = Path.GetFullPath(weights), naming, dataset, top1 = result.Top1, top5 = result.Top5, loss = result.Loss, count = result.Count,
        }, new JsonSerializerOptions { WriteIndented = true }) + "\n");
        CsvTable.Write(Path.Combine(dir, PerClassFile), ["class", "count", "accuracy"], Enumerable.Range(0, classes).Select(c =>
        {
            long count = Enumerable.Range(0, outputs).Sum(p => confusion[c, p]);
            return new[] { Name(c), Numbers.Integer(count), count == 0 ? "" : Numbers.RoundTrip(100.0 * confusion[c, c] / count) };
        }));
        CsvTable.Write(Path.Combine(dir, ConfusionFile), ["class", .. Enumerable.Range(0, outputs).Select(Name)],
            Enumerable.Range(0, classes).Select(c => (IReadOnlyList<string?>)[Name(c), .. Enumerable.Range(0, outputs).Select(p => Numbers.Integer(confusion[c, p]))]));
    }
}
