using System.Diagnostics;

namespace Research.Cli.Tests;

/// <summary>A fact that is skipped (not passed) when Debian's python3 cannot import torch.</summary>
public sealed class PyTorchFactAttribute : FactAttribute
{
    internal static readonly Lazy<bool> Available = new(() =>
    {
        if (!File.Exists("/usr/bin/python3")) return false;
        var psi = new ProcessStartInfo("/usr/bin/python3", "-c \"import torch\"") { RedirectStandardError = true, RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        return p.ExitCode == 0;
    });

    public PyTorchFactAttribute()
    {
        if (!Available.Value) Skip = "needs /usr/bin/python3 with torch (apt-get install python3-torch)";
    }
}

/// <summary>A theory that is skipped (not passed) when Debian's python3 cannot import torch and torchvision.</summary>
public sealed class PyTorchTheoryAttribute : TheoryAttribute
{
    public PyTorchTheoryAttribute()
    {
        if (!PyTorchFactAttribute.Available.Value) Skip = "needs /usr/bin/python3 with torch (apt-get install python3-torch python3-torchvision)";
    }
}
