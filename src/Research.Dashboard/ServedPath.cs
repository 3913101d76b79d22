namespace Research.Dashboard;

/// <summary>
/// Maps a path from a request to a file or folder under the served root, refusing anything that
/// would leave it: "..", an absolute path, or a symbolic link anywhere along the path that ends
/// outside the root (the path with its links resolved must stay under the root's). The root itself
/// may be a link.
/// </summary>
public sealed class ServedPath
{
    public string Root { get; }
    /// <summary>The root with every link resolved: what "under the root" is checked against.</summary>
    public string RealRoot { get; }

    public ServedPath(string root)
    {
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        RealRoot = Real(Root);
    }

    /// <summary>The full path of <paramref name="relative"/> ('/'-separated, URL-decoded, "" for the root), or a refusal saying why.</summary>
    public (string? Path, string? Refusal) Resolve(string relative)
    {
        if (relative.Contains('\0')) return (null, "a path with a NUL character");
        if (relative.StartsWith('/')) return (null, "an absolute path");
        var segments = relative.TrimEnd('/') is { Length: > 0 } r ? r.Split('/') : [];
        if (segments.Any(s => s is ".." or "." || s.Length == 0 || s.Contains('\\')))
            return (null, "a path with '..', '.', '\\' or an empty segment");
        string full = Path.GetFullPath(Path.Combine([Root, .. segments]));
        if (!Within(full, Root)) return (null, "a path outside the served folder");
        if (!Within(Real(full), RealRoot)) return (null, "a link to outside the served folder");
        return (full, null);
    }

    public static bool Within(string path, string root) =>
        path == root || path.StartsWith(Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>A path with every link along it resolved, as realpath(3) does (parts that do not exist are kept as they are).</summary>
    public static string Real(string path)
    {
        var parts = new Queue<string>(Path.GetFullPath(path).Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries));
        string current = Path.DirectorySeparatorChar.ToString();
        for (int links = 0; parts.Count > 0;)
        {
            string next = Path.Combine(current, parts.Dequeue());
            string? target = null;
            try
            {
                target = new FileInfo(next).LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Unreadable: taken as it is.
            }
            if (target is not null && ++links <= 40)
            {
                // Walk the link's target, then what is left of the path.
                var rest = parts.ToArray();
                parts = new Queue<string>(Path.GetFullPath(target, current).Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Concat(rest));
                current = Path.DirectorySeparatorChar.ToString();
                continue;
            }
            current = next;
        }
        return current;
    }
}
