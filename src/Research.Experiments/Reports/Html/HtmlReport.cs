namespace Research.Experiments.Reports.Html;

/// <summary>report.html: a run's report as one self-contained file (`research report RUN_DIR --html`, and the report stage).</summary>
public static class HtmlReport
{
    public const string FileName = "report.html";

    public static string Render(string runDir) => HtmlPage.Render(RunPage.Build(RunSnapshot.Read(runDir)));

    /// <summary>
    /// Writes the report to <paramref name="outPath"/>, or into the run directory when it is null —
    /// only when no process is writing the run (<paramref name="writer"/>: the caller is that process,
    /// as the report stage is). Returns the path written.
    /// </summary>
    public static string Write(string runDir, string? outPath, bool writer = false)
    {
        if (!Directory.Exists(runDir)) throw new DirectoryNotFoundException($"{runDir}: no such run directory");
        var snapshot = RunSnapshot.Read(runDir);
        if (snapshot.Kinds.Count == 0)
            throw new ArgumentException($"{runDir}: not a run directory (none of manifest.json, history.csv, metrics.json, genotype.json, darts_epochs.csv, candidates.csv, best.json, random_baseline.csv)");
        string path = outPath ?? Path.Combine(runDir, FileName);
        if (outPath is null && !writer && snapshot.WriterNote() is { } busy)
            throw new ArgumentException($"{runDir} may be being written ({busy}): a report is written into a run directory only by its own process; pass --out FILE to write it elsewhere");
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir) Directory.CreateDirectory(dir);
        DurableFile.WriteAllText(path, HtmlPage.Render(RunPage.Build(snapshot)));
        return path;
    }
}
