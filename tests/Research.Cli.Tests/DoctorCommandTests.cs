namespace Research.Cli.Tests;

public class DoctorCommandTests
{
    [Fact]
    public void PrintsEngineFactsAsNameValueLines()
    {
        var (code, output, _) = CliRunner.Run("doctor");
        Assert.Equal(ExitCodes.Ok, code);
        var f = CliRunner.Figures(output);
        Assert.Matches(@"^\d+\.\d+", f["libtorch"]);
        Assert.Equal(Environment.ProcessorCount.ToString(), f["cpu_cores"]);
        Assert.True(int.Parse(f["cpu_threads"]) >= 1);
        Assert.False(string.IsNullOrWhiteSpace(f["cpu_model"]));
        // The extensions, read here from /proc/cpuinfo on our own: those of the listed ones the CPU's flags name, in the list's order.
        // (No flags line, as on ARM: none.)
        var flags = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags"))?.Split(':')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        string expected = string.Join(' ', Research.Models.LatencyTables.MachineKey.Extensions.Where(flags.Contains));
        Assert.Equal(expected, output.Split('\n').Single(l => l.StartsWith("cpu_extensions")).TrimEnd('\r')["cpu_extensions".Length..].Trim());
        if (flags.Contains("avx2")) Assert.Contains("avx2", expected);
        Assert.Equal(Research.Torch.torch.host_allocator_tuned ? "retaining" : "system", f["host_allocator"]);
        // The project's kernels with their state now (on unless RESEARCH_FUSED_BN=0 / RESEARCH_DEPTHWISE_GRAD=0).
        string OnOff(bool on) => on ? "on" : "off";
        Assert.Equal($"fused_batch_norm_act {OnOff(Research.Torch.torch.fused_batch_norm_act_enabled)} depthwise_weight_grad {OnOff(Research.Torch.torch.depthwise_conv_kernel_enabled)}",
            f["kernels"]);
        Assert.Contains(f["cuda_available"], new[] { "true", "false" });
        Assert.True(f.ContainsKey("fashion_mnist"));
        bool installed = File.Exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
        Assert.Equal(installed, f["fashion_mnist"].StartsWith("installed"));
    }

    /// <summary>The `blas` line names the library libtorch got (the file the system's libblas.so.3 leads to), and only the reference one is warned about.</summary>
    [Fact]
    public void NamesTheBlasLibtorchGotAndWarnsOnlyOnTheReference()
    {
        var (code, output, err) = CliRunner.Run("doctor");
        Assert.Equal(ExitCodes.Ok, code);
        var line = CliRunner.Figures(output)["blas"].Split(' ', 2);
        Assert.Equal(2, line.Length);
        var (name, path) = (line[0], line[1]);
        Assert.True(File.Exists(path), $"blas names {path}, which does not exist");
        Assert.Equal(Research.Torch.BlasLibrary.Classify(path)?.Name, name);
        const string link = "/usr/lib/x86_64-linux-gnu/libblas.so.3";
        if (File.Exists(link)) Assert.Equal(new FileInfo(link).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? link, path);
        Assert.Equal(name == "reference", err.Contains("warning: libtorch got the Netlib reference BLAS"));
    }

    [Fact]
    public void UnknownCommandIsBadUsage()
    {
        var (code, _, err) = CliRunner.Run("no-such-command");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("no-such-command", err);
    }
}
