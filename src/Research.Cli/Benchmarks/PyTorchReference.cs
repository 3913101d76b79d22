using System.Diagnostics;
using System.Globalization;

namespace Research.Cli.Benchmarks;

/// <summary>
/// Runs one of the project's PyTorch reference scripts (bench/, copied beside the program) with
/// Debian's python3 and reads its `name value` lines, so a benchmark reports ours and PyTorch's
/// figures from one run.
/// </summary>
public static class PyTorchReference
{
    /// <summary>Debian's python3 (python3-torch), or the interpreter named by RESEARCH_PYTHON (a GPU machine's PyTorch).</summary>
    public static string DefaultPython => Environment.GetEnvironmentVariable("RESEARCH_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";

    /// <summary>The reference script of that name beside the program (bench/NAME), as the build copies it.</summary>
    public static string DefaultScript(string file) => Path.Combine(AppContext.BaseDirectory, "bench", file);

    public static IReadOnlyDictionary<string, string> Run(string script, IEnumerable<string> args, string? python = null) =>
        ParseFigures(RunText(script, args, python));

    /// <summary>Runs the script and returns everything it printed (for scripts with a line per epoch).</summary>
    public static string RunText(string script, IEnumerable<string> args, string? python = null)
    {
        python ??= DefaultPython;
        if (!File.Exists(script)) throw new FileNotFoundException($"PyTorch reference script not found: {script}");
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        // Same allocator policy on both sides, so the ratio measures the binding, not glibc's settings
        // (the binding's policy alone is worth 1.5-1.7x on CPU training steps; see native/runtime.cpp).
        if (Research.Torch.torch.host_allocator_tuned)
        {
            var (mmap, trim, mmapMax) = Research.Torch.torch.host_allocator_thresholds;
            psi.Environment["MALLOC_MMAP_THRESHOLD_"] = mmap.ToString(CultureInfo.InvariantCulture);
            psi.Environment["MALLOC_TRIM_THRESHOLD_"] = trim.ToString(CultureInfo.InvariantCulture);
            psi.Environment["MALLOC_MMAP_MAX_"] = mmapMax.ToString(CultureInfo.InvariantCulture);
        }
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {python}");
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{python} {script} exited with {p.ExitCode}: {stderr.Result.Trim()}");
        return stdout;
    }

    /// <summary>Each line `name value...`: the first word is the key, the rest the value (later lines win).</summary>
    public static Dictionary<string, string> ParseFigures(string text)
    {
        var d = new Dictionary<string, string>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int sp = line.IndexOf(' ');
            if (sp > 0) d[line[..sp]] = line[(sp + 1)..].Trim();
        }
        return d;
    }

    public static double Number(IReadOnlyDictionary<string, string> figures, string name) =>
        figures.TryGetValue(name, out var v) && double.TryParse(v.Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
            ? x
            : throw new InvalidDataException($"PyTorch reference output has no numeric '{name}' line");
}
