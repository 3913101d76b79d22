using System.Security.Cryptography;
using System.Text;

namespace Research.Experiments.Reports.Html;

/// <summary>
/// A run directory's state as a short hash of its files' names, sizes and modification times (a
/// few levels deep): the live view renders again only when it changes, and answers
/// "not modified" otherwise. Stats files; reads none.
/// </summary>
public sealed record RunFingerprint(string Hash, DateTimeOffset? LastWrite)
{
    public const int Depth = 5;

    public static RunFingerprint Of(string dir)
    {
        var entries = new List<string>();
        DateTime? last = null;
        try
        {
            if (Directory.Exists(dir))
            {
                var options = new EnumerationOptions
                {
                    RecurseSubdirectories = true, MaxRecursionDepth = Depth, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint,
                };
                foreach (var f in new DirectoryInfo(dir).EnumerateFiles("*", options))
                {
                    entries.Add($"{Path.GetRelativePath(dir, f.FullName)}\t{f.Length}\t{f.LastWriteTimeUtc.Ticks}");
                    if (last is null || f.LastWriteTimeUtc > last) last = f.LastWriteTimeUtc;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A folder removed while it is listed: what was seen so far stands; the next look sees the rest.
        }
        entries.Sort(StringComparer.Ordinal);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', entries)));
        return new RunFingerprint(Convert.ToHexString(hash, 0, 8).ToLowerInvariant(), last is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null);
    }
}
