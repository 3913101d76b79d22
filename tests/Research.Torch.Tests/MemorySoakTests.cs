using F = Research.Torch.torch.nn.functional;
using Xunit.Abstractions;

namespace Research.Torch.Tests;

/// <summary>
/// Many small training steps, each in its own DisposeScope, must not grow resident memory:
/// every native tensor made in a step (activations, loss, gradient handles, update
/// temporaries) has to be freed when the step's scope closes. Runs alone so that other
/// tests' allocations do not show up in the process's RSS.
/// </summary>
[Collection(SerialCollection.Name)]
public class MemorySoakTests(ITestOutputHelper output)
{
    private const int WarmupSteps = 2_000;
    private const int TotalSteps = 20_000;
    private const long AllowedGrowthBytes = 50L * 1024 * 1024;

    [Fact]
    public void TwentyThousandScopedTrainingStepsDoNotLeak()
    {
        torch.manual_seed(0);
        using var w = torch.randn(16, 16).mul_(0.25).requires_grad_();
        using var b = torch.zeros([16], requires_grad: true);
        using var x = torch.randn(8, 16);
        using var target = torch.randn(8, 16);

        double firstLoss = 0, lastLoss = 0;
        long rssAfterWarmup = 0;
        for (int step = 0; step < TotalSteps; step++)
        {
            if (step == WarmupSteps)
            {
                Settle();
                rssAfterWarmup = ProcessMemory.ResidentBytes();
            }

            using var scope = torch.NewDisposeScope();
            var y = F.relu(F.linear(x, w, b));
            var loss = F.mse_loss(y, target);
            loss.backward();
            using (torch.no_grad())
            {
                w.sub_(w.grad! * 0.05);
                b.sub_(b.grad! * 0.05);
            }
            w.zero_grad();
            b.zero_grad();
            if (step == 0) firstLoss = loss.item<double>();
            if (step == TotalSteps - 1) lastLoss = loss.item<double>();
            Assert.True(scope.DisposablesCount < 20, $"step {step}: {scope.DisposablesCount} tensors in the step's scope");
        }

        Settle();
        long rssEnd = ProcessMemory.ResidentBytes();
        long growth = rssEnd - rssAfterWarmup;
        output.WriteLine($"RSS after warm-up {rssAfterWarmup / 1048576.0:F1} MB, at end {rssEnd / 1048576.0:F1} MB, growth {growth / 1048576.0:F2} MB; loss {firstLoss:F4} -> {lastLoss:F4}");

        Assert.True(growth < AllowedGrowthBytes, $"resident memory grew by {growth / 1048576.0:F1} MB over {TotalSteps - WarmupSteps} steps");
        Assert.True(lastLoss < firstLoss, $"training did not reduce the loss ({firstLoss} -> {lastLoss})");
        Assert.False(w.IsDisposed);
        Assert.Null(w.grad);
    }

    [Fact]
    public void UndisposedTensorsAreReclaimedByTheFinalizer()
    {
        // The safety net: handles that nobody disposed are freed when the GC finalizes them.
        // Measured with glibc's own policy (blocks this large mapped on their own and unmapped when
        // freed): the binding's retaining policy keeps freed blocks in the heap, where an aligned
        // 40 MB request does not always fit the hole an equal one left, so the resident set would
        // say little about whether the handles were freed. The switch holds for the rest of this
        // test process, which only makes later tests slower.
        Assert.Equal(OperatingSystem.IsLinux(), torch.host_allocator_use_direct_mapping());
        Settle();
        long before = ProcessMemory.ResidentBytes();
        for (int i = 0; i < 5; i++)
        {
            Allocate();
            Settle();
        }
        long after = ProcessMemory.ResidentBytes();
        output.WriteLine($"RSS before {before / 1048576.0:F1} MB, after {after / 1048576.0:F1} MB");
        // 5 x 40 MB were allocated, each left to the finalizer: unmapped when freed, against 200 MB if none were.
        Assert.True(after - before < 100L * 1024 * 1024, $"grew by {(after - before) / 1048576.0:F1} MB");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void Allocate()
    {
        var t = torch.ones(10 * 1024 * 1024); // 40 MB, never disposed
        GC.KeepAlive(t);
    }

    private static void Settle()
    {
        for (int i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }
}
