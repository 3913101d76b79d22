namespace Research.Torch.Tests;

/// <summary>Process-wide settings; serial because other tests would see the changes.</summary>
[Collection(SerialCollection.Name)]
public class RuntimeTests
{
    [Fact]
    public void VersionAndConfig()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+", torch.version);
        Assert.Contains("PyTorch built with", torch.show_config());
    }

    [Fact]
    public void NumThreadsRoundTrips()
    {
        int before = torch.get_num_threads();
        try
        {
            torch.set_num_threads(1);
            Assert.Equal(1, torch.get_num_threads());
            using var a = torch.ones(64, 64);
            using var b = a.matmul(a);
            Assert.Equal(64f, b.max().item<float>());
        }
        finally
        {
            torch.set_num_threads(before);
        }
        Assert.Equal(before, torch.get_num_threads());
        Assert.True(torch.get_num_interop_threads() >= 1);
    }

    [Fact]
    public void DeterministicAlgorithmsFlagRoundTrips()
    {
        bool before = torch.are_deterministic_algorithms_enabled();
        try
        {
            torch.use_deterministic_algorithms(true);
            Assert.True(torch.are_deterministic_algorithms_enabled());
            torch.use_deterministic_algorithms(false);
            Assert.False(torch.are_deterministic_algorithms_enabled());
        }
        finally
        {
            torch.use_deterministic_algorithms(before);
        }
    }
}
