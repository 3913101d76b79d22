using System.Globalization;

namespace Research.Cli.Tests;

public class BenchCommandTests
{
    [Fact]
    public void DispatchPrintsNanosecondsPerOpLast()
    {
        var (code, output, err) = CliRunner.Run("bench", "dispatch", "--ops", "2000");
        Assert.True(code == ExitCodes.Ok, err);
        var lines = output.Trim().Split('\n');
        Assert.StartsWith("ns_per_op ", lines[^1]);
        double ns = double.Parse(lines[^1].Split(' ')[1], CultureInfo.InvariantCulture);
        Assert.InRange(ns, 1, 1e7);
        Assert.Contains("case add ops 2000", output);
    }

    [Fact]
    public void DispatchAutogradRunsBackward()
    {
        var (code, output, err) = CliRunner.Run("bench", "dispatch", "--ops", "200", "--autograd");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("case autograd", output);
    }

    [Fact]
    public void NonPositiveOpsIsBadInput()
    {
        var (code, _, err) = CliRunner.Run("bench", "dispatch", "--ops", "0");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--ops 0", err);
    }

    [Fact]
    public void MissingReferenceScriptIsBadInputNamingIt()
    {
        var (code, _, err) = CliRunner.Run("bench", "dispatch", "--ops", "10", "--pytorch", "/nonexistent/ref.py");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("/nonexistent/ref.py", err);
    }

    [PyTorchFact]
    public void ComparesWithPyTorchWhenItIsInstalled()
    {
        // --pytorch alone: the project's own reference, bench/pytorch_dispatch.py, copied beside the program.
        var (code, output, err) = CliRunner.Run("bench", "dispatch", "--ops", "1000", "--pytorch");
        Assert.True(code == ExitCodes.Ok, err);
        var f = CliRunner.Figures(output);
        Assert.True(double.Parse(f["pytorch_ns_per_op"], CultureInfo.InvariantCulture) > 0);
        Assert.True(double.Parse(f["speedup_vs_pytorch"], CultureInfo.InvariantCulture) > 0);
    }
}
