using System.Diagnostics;

namespace Research.Torch.Tests;

/// <summary>
/// Runs scripts with Debian's python3 and its PyTorch (and torchvision), to make .pth files
/// with the real torch.save. Probed once; tests that need it are skipped where it is missing.
/// </summary>
internal static class PythonTorch
{
    private const int TimeoutSeconds = 900;

    public const string Interpreter = PythonNumpy.Interpreter;

    private static readonly Lazy<string?> TorchUnavailable = new(() => Probe("torch", "apt-get install python3-torch"));
    private static readonly Lazy<string?> TorchvisionUnavailable = new(() => TorchUnavailable.Value ?? Probe("torchvision", "apt-get install python3-torchvision"));

    /// <summary>Why torch cannot be imported, or null when it can.</summary>
    public static string? WhyNoTorch => TorchUnavailable.Value;

    /// <summary>Why torch or torchvision cannot be imported, or null when both can.</summary>
    public static string? WhyNoTorchvision => TorchvisionUnavailable.Value;

    /// <summary>Runs the script file; a non-zero exit throws with stderr.</summary>
    public static void Run(string scriptPath, params string[] args)
    {
        var (code, _, stderr) = Exec([scriptPath, .. args]);
        if (code != 0) throw new InvalidOperationException($"{Interpreter} {scriptPath} exited with {code}:\n{stderr}");
    }

    private static string? Probe(string module, string install)
    {
        if (!File.Exists(Interpreter)) return $"{Interpreter} is not installed";
        try
        {
            var (code, _, stderr) = Exec(["-c", $"import {module}"]);
            return code == 0 ? null : $"{Interpreter} cannot import {module} ({install}): {stderr.Trim().Split('\n')[^1]}";
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
        // Importing torch and building a torchvision model takes seconds; a loaded CI box, minutes (writing
        // every .pth case took over 180 s on 2 cores shared with other work). The limit only stops a hang.
        if (!process.WaitForExit(TimeSpan.FromSeconds(TimeoutSeconds)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Interpreter} {string.Join(' ', args)} ran over {TimeoutSeconds} s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>A fact that is skipped, with the reason, where /usr/bin/python3 cannot import torch (or, with <see cref="Torchvision"/>, torchvision).</summary>
public sealed class PythonTorchFactAttribute : FactAttribute
{
    public PythonTorchFactAttribute()
    {
        if (PythonTorch.WhyNoTorch is { } why) Skip = why;
    }

    /// <summary>Also needs torchvision.</summary>
    public bool Torchvision
    {
        get => false;
        set
        {
            if (value && PythonTorch.WhyNoTorchvision is { } why) Skip = why;
        }
    }
}
