using System.Diagnostics;

namespace Research.Torch.Tests;

/// <summary>Runs scripts with Debian's python3 and numpy, to check files against an independent reader and writer.</summary>
internal static class PythonNumpy
{
    public const string Interpreter = "/usr/bin/python3";

    private static readonly Lazy<string?> Unavailable = new(Probe);

    /// <summary>Why the interpreter or numpy cannot be used, or null when both work.</summary>
    public static string? WhyUnavailable => Unavailable.Value;

    /// <summary>Runs the script file and returns its stdout; a non-zero exit throws with stderr.</summary>
    public static string Run(string scriptPath, params string[] args)
    {
        var (code, stdout, stderr) = Exec([scriptPath, .. args]);
        if (code != 0) throw new InvalidOperationException($"{Interpreter} {scriptPath} exited with {code}:\n{stderr}");
        return stdout;
    }

    private static string? Probe()
    {
        if (!File.Exists(Interpreter)) return $"{Interpreter} is not installed";
        try
        {
            var (code, _, stderr) = Exec(["-c", "import numpy"]);
            return code == 0 ? null : $"{Interpreter} cannot import numpy (apt-get install python3-numpy): {stderr.Trim()}";
        }
        catch (Exception e)
        {
            return $"{Interpreter} could not be run: {e.Message}";
        }
    }

    private static (int Code, string Stdout, string Stderr) Exec(string[] args)
    {
        var info = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        // Both pipes drain concurrently so a full stderr cannot block the child.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Interpreter} {string.Join(' ', args)} ran over 60 s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
