using System.Diagnostics;

namespace Research.Core.Tests;

/// <summary>Coreutils for tests about files on disk (linked into other test projects): what is at a path, and making FIFOs and device nodes.</summary>
internal static class Shell
{
    /// <summary>`stat -c %F`: "regular file", "symbolic link", "fifo", "character special file"... (a final link is not followed), so a test does not trust the code it tests.</summary>
    public static string Stat(string path)
    {
        var psi = new ProcessStartInfo("stat") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-c", "%F", path }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return text;
    }

    public static void Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{program} {string.Join(' ', args)}: {err}");
    }
}
