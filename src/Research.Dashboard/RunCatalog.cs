using Research.Experiments.Reports.Html;

namespace Research.Dashboard;

/// <summary>A run found under the served root: its path relative to the root ('/'-separated, "" for the root itself) and its kinds.</summary>
public sealed record RunEntry(string Relative, string Dir, IReadOnlyList<string> Kinds);

/// <summary>
/// Finds the runs under a folder: every directory that holds a run's files (<see cref="RunFolder.Kinds"/>),
/// a few levels deep, without descending into a run (its stage folders and candidates belong to it),
/// into hidden folders (dataset caches) or through links.
/// </summary>
public static class RunCatalog
{
    public const int MaxDepth = 4;

    public static List<RunEntry> List(string root)
    {
        var found = new List<RunEntry>();
        var queue = new Queue<(string Dir, int Depth)>([(root, 0)]);
        var options = new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint | FileAttributes.Hidden };
        while (queue.Count > 0)
        {
            var (dir, depth) = queue.Dequeue();
            var kinds = RunFolder.Kinds(dir);
            if (kinds.Count > 0)
            {
                found.Add(new RunEntry(Relative(root, dir), dir, kinds));
                continue;
            }
            if (depth >= MaxDepth) continue;
            try
            {
                foreach (var sub in Directory.EnumerateDirectories(dir, "*", options).Where(d => !Path.GetFileName(d).StartsWith('.')).Order(StringComparer.Ordinal))
                    queue.Enqueue((sub, depth + 1));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Removed while listed: the next look sees what is there.
            }
        }
        return found.OrderBy(r => r.Relative, StringComparer.Ordinal).ToList();
    }

    public static string Relative(string root, string dir) => Path.GetRelativePath(root, dir) is "." ? "" : Path.GetRelativePath(root, dir).Replace(Path.DirectorySeparatorChar, '/');
}
