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
        // The shared reference script sits beside the checkout; a clone elsewhere gets a minimal stand-in with the same protocol.
        string script = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/bench/pytorch_dispatch.py"));
        if (!File.Exists(script))
        {
            script = Path.Combine(Directory.CreateTempSubdirectory().FullName, "dispatch.py");
            File.WriteAllText(script, """
                import argparse, time, torch
                p = argparse.ArgumentParser()
                p.add_argument("--ops", type=int)
                p.add_argument("--threads", type=int)
                p.add_argument("--autograd", action="store_true")
                a = p.parse_args()
                torch.set_num_threads(a.threads)
                x, y = torch.ones(1), torch.ones(1)
                t = time.perf_counter()
                for _ in range(a.ops):
                    x + y
                print("ns_per_op", (time.perf_counter() - t) / a.ops * 1e9)
                """);
        }
        var (code, output, err) = CliRunner.Run("bench", "dispatch", "--ops", "1000", "--pytorch", script);
        Assert.True(code == ExitCodes.Ok, err);
        var f = CliRunner.Figures(output);
        Assert.True(double.Parse(f["pytorch_ns_per_op"], CultureInfo.InvariantCulture) > 0);
        Assert.True(double.Parse(f["speedup_vs_pytorch"], CultureInfo.InvariantCulture) > 0);
    }
}
