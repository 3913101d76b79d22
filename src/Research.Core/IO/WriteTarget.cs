namespace Research.Core.IO;

/// <summary>
/// Where a write to a path goes, decided by what is at the path (<see cref="Of"/>):
/// <list type="bullet">
/// <item>a regular file, or nothing yet: <see cref="Path"/> is that file, replaced atomically;</item>
/// <item>a symbolic link (a chain of them): <see cref="Path"/> is the file it finally names, replaced
/// atomically there, so the link stays a link and its target gets the contents (as a shell's
/// <c>&gt;</c> does); a dangling link creates its target;</item>
/// <item>a device, FIFO or socket (/dev/null, /dev/full, a pipe another tool reads), or an open file named
/// through /proc (/dev/stdout, /dev/fd/N): <see cref="Direct"/>: opened and written in place, never
/// replaced; a regular file reached through /proc is appended to, so a <c>&gt;&gt;</c> log keeps its lines.</item>
/// </list>
/// </summary>
public sealed record WriteTarget(string Path, bool Direct, bool Append)
{
    /// <summary>Linux stops resolving after 40 links (ELOOP); so does this.</summary>
    private const int MaxLinks = 40;

    public static WriteTarget Of(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        var kind = PathKinds.Of(full);
        if (kind == PathKind.Special) return new WriteTarget(full, Direct: true, Append: false);
        var target = full;
        bool throughProc = IsProc(full);
        for (int hops = 0; !throughProc; hops++)
        {
            var link = new FileInfo(target).LinkTarget;
            if (link is null) break;
            if (hops == MaxLinks) throw new IOException($"could not write {full}: more than {MaxLinks} symbolic links in a row (a loop?)");
            target = System.IO.Path.GetFullPath(link, System.IO.Path.GetDirectoryName(target)!);
            throughProc = IsProc(target);
        }
        // /proc/self/fd/N names an open file, not a path: replacing "its" file would cut the file from the descriptor.
        if (throughProc) return new WriteTarget(full, Direct: true, Append: kind == PathKind.Regular);
        return new WriteTarget(target, Direct: false, Append: false);
    }

    private static bool IsProc(string full) => full.StartsWith("/proc/", StringComparison.Ordinal);
}
