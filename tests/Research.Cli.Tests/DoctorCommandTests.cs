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
        Assert.Equal(Research.Torch.torch.host_allocator_tuned ? "retaining" : "system", f["host_allocator"]);
        Assert.Contains(f["cuda_available"], new[] { "true", "false" });
        Assert.True(f.ContainsKey("fashion_mnist"));
        bool installed = File.Exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
        Assert.Equal(installed, f["fashion_mnist"].StartsWith("installed"));
    }

    [Fact]
    public void UnknownCommandIsBadUsage()
    {
        var (code, _, err) = CliRunner.Run("no-such-command");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("no-such-command", err);
    }
}
