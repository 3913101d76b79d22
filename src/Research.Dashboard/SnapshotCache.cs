using System.Collections.Concurrent;
using Research.Experiments.Reports.Html;

namespace Research.Dashboard;

/// <summary>A run as last read and rendered, valid while its fingerprint is unchanged.</summary>
public sealed record RenderedRun(string Fingerprint, RunSnapshot Snapshot, ReportModel Model, string Json);

/// <summary>
/// Reads and renders a run again only when its files changed (names, sizes, times): every open
/// page polls, and most polls find nothing new. Holds nothing open between requests.
/// </summary>
public sealed class SnapshotCache
{
    private readonly ConcurrentDictionary<string, RenderedRun> _runs = new(StringComparer.Ordinal);

    public RenderedRun Get(string dir)
    {
        string fingerprint = RunFingerprint.Of(dir).Hash;
        if (_runs.TryGetValue(dir, out var cached) && cached.Fingerprint == fingerprint) return cached;
        var snapshot = RunSnapshot.Read(dir);
        var model = RunPage.Build(snapshot);
        var rendered = new RenderedRun(fingerprint, snapshot, model, model.ToJsonText());
        _runs[dir] = rendered;
        return rendered;
    }
}
