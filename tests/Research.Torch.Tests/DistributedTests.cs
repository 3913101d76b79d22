using Research.Torch.Distributed;
using Research.Torch.Modules;
using F = Research.Torch.torch.nn.functional;

namespace Research.Torch.Tests;

/// <summary>c10d through the binding: the store, Gloo collectives and their failures, on two real ranks over loopback.</summary>
[Collection(SerialRngCollection.Name)]
public class DistributedTests
{
    [Fact]
    public void GlooIsBuiltInAndNcclOnlyWithCuda()
    {
        Assert.True(ProcessGroup.IsAvailable("gloo"));
        Assert.False(ProcessGroup.IsAvailable("mpi"));
        if (!torch.cuda.is_available()) Assert.False(ProcessGroup.IsAvailable("nccl"));
    }

    [Fact]
    public void CollectivesCombineTheRanksTensors()
    {
        var got = TwoRanks.Run(world =>
        {
            var g = world.Group;
            using var sum = torch.tensor(new float[] { 1 + world.Rank, 10 * (1 + world.Rank) });
            g.AllReduce(sum);
            using var max = torch.tensor(new float[] { world.Rank == 0 ? 5 : -5 });
            g.AllReduce(max, ReduceOp.Max);
            using var fromRoot = torch.tensor(new float[] { world.Rank == 1 ? 7 : 0, world.Rank });
            g.Broadcast(fromRoot, root: 1);
            var gathered = g.AllGather(torch.tensor(new long[] { 100 + world.Rank }));
            g.Barrier();
            var row = sum.ToArray<float>().Concat(max.ToArray<float>()).Concat(fromRoot.ToArray<float>()).Concat(gathered.Select(t => (float)t.item<long>())).ToArray();
            foreach (var t in gathered) t.Dispose();
            return row;
        });
        foreach (var row in got) Assert.Equal(new float[] { 3, 30, 5, 7, 1, 100, 101 }, row);
    }

    [Fact]
    public void StoreCountersAreAtomicAcrossRanks()
    {
        var got = TwoRanks.Run(world =>
        {
            var claims = new List<long>();
            for (int i = 0; i < 50; i++) claims.Add(world.Store.Add("test/claims", 1));
            world.Store.Set($"test/value/{world.Rank}", $"from {world.Rank}");
            world.Group.Barrier();
            return (Claims: claims, Other: world.Store.GetString($"test/value/{1 - world.Rank}"));
        });
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), got.SelectMany(g => g.Claims).Order());
        Assert.Equal("from 1", got[0].Other);
        Assert.Equal("from 0", got[1].Other);
    }

    [Fact]
    public void DifferentiableAllReduceSendsEveryRanksGradientBack()
    {
        var grads = TwoRanks.Run(world =>
        {
            using var x = torch.tensor(new float[] { 1, 2 }, requires_grad: true);
            using var total = world.Group.AllReduceDifferentiable(x * (world.Rank + 1));
            // Rank r's loss weighs the global sum by (r + 1): dL/dx_r = (1 + 2) * (r + 1).
            using var loss = (total * (world.Rank + 1)).sum();
            loss.backward();
            return (Total: total.detach().ToArray<float>(), Grad: x.grad!.ToArray<float>());
        });
        Assert.Equal(new float[] { 3, 6 }, grads[0].Total);
        Assert.Equal(new float[] { 3, 3 }, grads[0].Grad);
        Assert.Equal(new float[] { 6, 6 }, grads[1].Grad);
    }

    [Fact]
    public void ACollectiveThatAnotherRankNeverJoinsTimesOutNamingTheOperation()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var outcome = TwoRanks.Run(world =>
        {
            if (world.Rank == 1)
            {
                Thread.Sleep(TimeSpan.FromSeconds(12)); // alive (heartbeats go on) but never in the barrier, well past rank 0's timeout and diagnosis
                return null;
            }
            return Record.Exception(() => world.Group.Barrier());
        }, timeoutSeconds: 2, leave: false);
        var e = Assert.IsType<DistributedException>(outcome[0]);
        Assert.Equal("barrier", e.Operation);
        Assert.Equal(0, e.Rank);
        Assert.Null(e.Culprit);
        Assert.Contains("rank 0 of 2: barrier failed", e.Message);
        Assert.Contains("every rank is alive", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(40), $"took {clock.Elapsed}");
    }

    [Fact]
    public void ARankThatLeftANoteIsNamedByTheOthersFailure()
    {
        var outcome = TwoRanks.Run(world =>
        {
            if (world.Rank == 1)
            {
                world.NoteFailure("error: cuda out of memory");
                Thread.Sleep(TimeSpan.FromSeconds(6));
                return null;
            }
            return Record.Exception(() => world.Group.Barrier());
        }, timeoutSeconds: 2, leave: false);
        var e = Assert.IsType<DistributedException>(outcome[0]);
        Assert.Equal(1, e.Culprit);
        Assert.Contains("rank 1 failed: error: cuda out of memory", e.Message);
    }

    /// <summary>
    /// A rank that is in the group but beats no heartbeat (as a stopped process beats none) is lost after
    /// <see cref="DistributedWorld.LostAfter"/>, long before the collective timeout, and the handler is told, naming it.
    /// </summary>
    [Fact]
    public void ARankWhoseHeartbeatStandsStillIsLostWithinSeconds()
    {
        int port = TwoRanks.FreePort();
        var timeout = TimeSpan.FromSeconds(120);
        using var release = new ManualResetEventSlim();
        var silent = Task.Factory.StartNew(() =>
        {
            using var store = TcpStore.Create("127.0.0.1", port, 2, isServer: false, timeout);
            using var heartbeat = TcpStore.Create("127.0.0.1", port, 2, isServer: false, timeout);
            using var group = ProcessGroup.Gloo(store, 1, 2, timeout, hostname: "127.0.0.1");
            release.Wait(TimeSpan.FromSeconds(90));
        }, TaskCreationOptions.LongRunning);
        using var world = DistributedWorld.Join(new DistributedEnvironment(0, 2, 0, 2, "127.0.0.1", port, "test"), "gloo", timeout);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var lost = new TaskCompletionSource<DistributedException>();
        world.RankLost = e => lost.TrySetResult(e);
        try
        {
            Assert.True(lost.Task.Wait(TimeSpan.FromSeconds(60)), "no rank was found lost");
            var e = lost.Task.Result;
            Assert.Equal(1, e.Culprit);
            Assert.Contains("rank 0 of 2: the run failed: rank 1 stopped responding (no heartbeat for 1", e.Message);
            Assert.True(clock.Elapsed < DistributedWorld.LostAfter + TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
            Assert.Equal(e.Message, world.Lost?.Message);
            // A collective now fails at once, naming the lost rank, instead of waiting out its timeout.
            var barrier = Assert.Throws<DistributedException>(() => world.WaitForAny(["never"], "waiting"));
            Assert.Equal(1, barrier.Culprit);
        }
        finally
        {
            release.Set();
            silent.Wait(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Each rank normalises half of a batch with SyncGroup set: outputs, running statistics and gradients are those of one batch norm over the whole batch.</summary>
    [Fact]
    public void SynchronisedBatchNormEqualsOneBatchNormOverTheGlobalBatch()
    {
        torch.manual_seed(3);
        using var full = torch.randn([8, 3, 4, 4]) * 2 + 1;
        using var upstream = torch.randn([8, 3, 4, 4]);
        var fullData = full.ToArray<float>();
        var upData = upstream.ToArray<float>();
        float[] weight = [0.7f, 1.2f, 0.9f], bias = [0.1f, -0.3f, 0.25f];
        void Affine(BatchNorm2d bn)
        {
            using var _ = torch.no_grad();
            using var w = torch.tensor(weight);
            using var b = torch.tensor(bias);
            bn.weight!.copy_(w);
            bn.bias!.copy_(b);
        }

        (float[] Y, float[] Dx, float[] Dw, float[] Mean, float[] Var) Reference()
        {
            using var bn = torch.nn.BatchNorm2d(3);
            Affine(bn);
            using var x = torch.tensor(fullData, [8, 3, 4, 4], requires_grad: true);
            using var y = bn.call(x);
            using var loss = (y * torch.tensor(upData, [8, 3, 4, 4])).sum();
            loss.backward();
            return (y.detach().ToArray<float>(), x.grad!.ToArray<float>(), bn.weight!.grad!.ToArray<float>(), bn.running_mean!.ToArray<float>(), bn.running_var!.ToArray<float>());
        }
        var expected = Reference();

        var ranks = TwoRanks.Run(world =>
        {
            using var bn = torch.nn.BatchNorm2d(3);
            Affine(bn);
            bn.SyncGroup = world.Group;
            using var all = torch.tensor(fullData, [8, 3, 4, 4]);
            using var allUp = torch.tensor(upData, [8, 3, 4, 4]);
            using var x = all.narrow(0, 4 * world.Rank, 4).contiguous().detach().requires_grad_();
            using var y = bn.call(x);
            // Rank r's loss is its half of the sum; backward then carries the other half's share through the statistics.
            using var loss = (y * allUp.narrow(0, 4 * world.Rank, 4)).sum();
            loss.backward();
            using var dw = bn.weight!.grad!.clone();
            world.Group.AllReduce(dw); // data-parallel sums (averages) parameter gradients afterwards
            return (Y: y.detach().ToArray<float>(), Dx: x.grad!.ToArray<float>(), Dw: dw.ToArray<float>(), Mean: bn.running_mean!.ToArray<float>(),
                Var: bn.running_var!.ToArray<float>());
        });
        AssertClose(expected.Y, ranks[0].Y.Concat(ranks[1].Y).ToArray());
        AssertClose(expected.Dx, ranks[0].Dx.Concat(ranks[1].Dx).ToArray());
        AssertClose(expected.Dw, ranks[0].Dw);
        foreach (var r in ranks)
        {
            AssertClose(expected.Mean, r.Mean);
            AssertClose(expected.Var, r.Var);
        }
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"[{i}] expected {expected[i]}, got {actual[i]}");
    }
}
