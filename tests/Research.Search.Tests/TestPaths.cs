namespace Research.Search.Tests;

internal static class TestPaths
{
    /// <summary>The repository root (the folder holding Research.sln).</summary>
    public static string Repo
    {
        get
        {
            var d = new DirectoryInfo(AppContext.BaseDirectory);
            while (d is not null && !File.Exists(Path.Combine(d.FullName, "Research.sln"))) d = d.Parent;
            return d?.FullName ?? throw new InvalidOperationException("repository root not found");
        }
    }
}
