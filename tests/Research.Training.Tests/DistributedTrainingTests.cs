using Research.Torch;
using Research.Torch.Distributed;
using Research.Torch.Modules;
using Research.Torch.Optim;
using Research.Torch.Tests;
using Research.Training.Data;
using Research.Training.Distributed;

namespace Research.Training.Tests;

/// <summary>Data-parallel pieces on two real Gloo ranks (threads of this process over loopback), against one process.</summary>
[Collection("Serial training")]
public class DistributedTrainingTests
{
    /// <summary>No batch norm: conv, ReLU, global average, linear.</summary>
    private sealed class SmallNet : Module<Tensor, Tensor>
    {
        private readonly Conv2d conv;
        private readonly Linear fc;

        public SmallNet() : base(nameof(SmallNet))
        {
            conv = torch.nn.Conv2d(1, 6, 3, padding: 1);
            fc = new Linear(6, 4);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => fc.call(torch.nn.functional.relu(conv.call(input)).mean([2L, 3L]));
    }

    private static Dictionary<string, float[]> Weights(Module m) => m.state_dict().ToDictionary(kv => kv.Key, kv => { using var t = kv.Value; return t.ToArray<float>(); });

    private static void Load(Module m, Dictionary<string, float[]> weights)
    {
        var shapes = m.state_dict();
        var source = shapes.ToDictionary(kv => kv.Key, kv => torch.tensor(weights[kv.Key], kv.Value.shape));
        m.load_state_dict(source);
        foreach (var t in shapes.Values.Concat(source.Values)) t.Dispose();
    }

    /// <summary>
    /// Two ranks each stepping on their half of every batch, with gradients averaged, end with the
    /// weights of one process stepping on the whole batches (SGD with momentum, 5 steps): to 1e-5 relative.
    /// </summary>
    [Fact]
    public void TwoRanksWithHalfBatchesTrainTheWeightsOfOneProcessWithTheWholeBatch()
    {
        const int steps = 5, batch = 16;
        Dictionary<string, float[]> initial;
        float[][] images;
        long[][] labels;
        lock (typeof(torch))
        {
            torch.manual_seed(11);
            using (var net = new SmallNet()) initial = Weights(net);
            images = Enumerable.Range(0, steps).Select(_ => { using var x = torch.randn([batch, 1, 6, 6]); return x.ToArray<float>(); }).ToArray();
            labels = Enumerable.Range(0, steps).Select(_ => { using var y = torch.randint(0, 4, [batch]); return y.ToArray<long>(); }).ToArray();
        }

        Dictionary<string, float[]> Train(DistributedWorld? world)
        {
            using var net = new SmallNet();
            Load(net, initial);
            using var sgd = new SGD(net.parameters(), 0.2, momentum: 0.9, weight_decay: 1e-3);
            var parallel = world is null ? null : new DataParallel(world.Group);
            int share = world is null ? batch : batch / world.WorldSize, offset = world is null ? 0 : world.Rank * share;
            for (int s = 0; s < steps; s++)
                using (torch.NewDisposeScope())
                {
                    var x = torch.tensor(images[s], [batch, 1, 6, 6]).narrow(0, offset, share);
                    var y = torch.tensor(labels[s]).narrow(0, offset, share);
                    sgd.zero_grad();
                    torch.nn.functional.cross_entropy(net.call(x), y).backward();
                    parallel?.AverageGradients(net.parameters());
                    sgd.step();
                }
            Assert.Equal(world is null ? 0 : steps, parallel?.Reductions ?? 0);
            return Weights(net);
        }

        var single = Train(null);
        var ranks = TwoRanks.Run(world => Train(world));
        foreach (var (name, expected) in single)
            foreach (var rank in ranks)
                for (int i = 0; i < expected.Length; i++)
                    Assert.True(Math.Abs(expected[i] - rank[name][i]) <= 1e-5 * Math.Max(1e-2, Math.Abs(expected[i])),
                        $"{name}[{i}]: one process {expected[i]}, two ranks {rank[name][i]}");
        // And the weights moved: the comparison is not between two untouched copies.
        Assert.NotEqual(initial["fc.weight"], single["fc.weight"]);
    }

    [Fact]
    public void BroadcastStateGivesEveryRankRankZerosModel()
    {
        var got = TwoRanks.Run(world =>
        {
            using var net = new SmallNet(); // initialised from each thread's draws: different weights
            using (torch.no_grad()) foreach (var p in net.parameters()) p.fill_(world.Rank + 1);
            new DataParallel(world.Group, bucketBytes: 64).BroadcastState(net); // small buckets: several broadcasts
            return Weights(net);
        });
        foreach (var (name, values) in got[1]) Assert.All(values, v => Assert.Equal(1f, v));
        Assert.Equal(got[0].Keys, got[1].Keys);
    }

    [Fact]
    public void ShardsSplitAnEpochOrderLikeDistributedSampler()
    {
        int[] order = [9, 3, 5, 1, 7];
        Assert.Equal(new[] { 9, 5, 7 }, new DataShard(0, 2, Pad: true).Take(order));
        Assert.Equal(new[] { 3, 1, 9 }, new DataShard(1, 2, Pad: true).Take(order)); // padded with the order's start
        Assert.Equal(new[] { 9, 5, 7 }, new DataShard(0, 2, Pad: false).Take(order));
        Assert.Equal(new[] { 3, 1 }, new DataShard(1, 2, Pad: false).Take(order));
        Assert.Equal(3, new DataShard(1, 2, Pad: true).Size(5));
        Assert.Equal(2, new DataShard(1, 2, Pad: false).Size(5));
        // Without padding the shards partition the order exactly.
        var shards = Enumerable.Range(0, 3).SelectMany(r => new DataShard(r, 3, Pad: false).Take(Enumerable.Range(0, 10).ToArray())).Order();
        Assert.Equal(Enumerable.Range(0, 10), shards);
    }

    [Fact]
    public void ShardedLoadersServeTheGlobalBatchBetweenThem()
    {
        var data = new ImageDataset("d", new byte[12 * 4], Enumerable.Range(0, 12).Select(i => (long)i).ToArray(), 1, 2, 2, 12);
        var whole = new DataLoader(data, 4, shuffle: true, dropLast: true, Device.CPU, seed: 5).Order(3);
        var r0 = new DataLoader(data, 2, shuffle: true, dropLast: true, Device.CPU, seed: 5, shard: new DataShard(0, 2, true)).Order(3);
        var r1 = new DataLoader(data, 2, shuffle: true, dropLast: true, Device.CPU, seed: 5, shard: new DataShard(1, 2, true)).Order(3);
        for (int b = 0; b < 3; b++)
            Assert.Equal(whole.Skip(4 * b).Take(4).Order(), r0.Skip(2 * b).Take(2).Concat(r1.Skip(2 * b).Take(2)).Order());
    }

    [Fact]
    public void ShardedWorkRunsEachPieceOnceAndReturnsAllInOrder()
    {
        var runs = new System.Collections.Concurrent.ConcurrentBag<(int Rank, int Piece)>();
        var got = TwoRanks.Run(world => ShardedWork.Run(world, "test", 7, i =>
        {
            runs.Add((world.Rank, i));
            Thread.Sleep(i % 3 * 100); // long enough (0.7 s in all) that the later rank to start still finds pieces left
            return $"piece {i}";
        }, r => r, t => t).Select(o => o.Result).ToArray());
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"piece {i}"), got[0]);
        Assert.Equal(got[0], got[1]);
        Assert.Equal(Enumerable.Range(0, 7), runs.Select(r => r.Piece).Order());
        Assert.Equal(2, runs.Select(r => r.Rank).Distinct().Count());
        Assert.Equal(ShardedWork.Run<string>(null, "test", 7, i => $"piece {i}", r => r, t => t).Select(o => o.Result), got[0]);
    }

    [Fact]
    public void ShardedEvaluationReportsTheWholeSetsFigures()
    {
        var data = new ImageDataset("d", Enumerable.Range(0, 10 * 4).Select(i => (byte)(i * 7 % 256)).ToArray(), Enumerable.Range(0, 10).Select(i => (long)(i % 4)).ToArray(), 1, 2, 2, 4);
        var transform = new Transforms.BatchTransform(new Transforms.ChannelStats([0.5f], [0.25f]), 1, 2, Transforms.AugmentConfig.None, Transforms.ImageRecipe.SmallImage);
        Dictionary<string, float[]> weights;
        lock (typeof(torch))
        {
            torch.manual_seed(2);
            using var init = new SmallNet();
            weights = Weights(init);
        }
        EvalResult Evaluate(DistributedWorld? world)
        {
            using var net = new SmallNet();
            Load(net, weights);
            var shard = world is null ? null : new DataShard(world.Rank, world.WorldSize, Pad: false);
            return Evaluation.Evaluate(net, new DataLoader(data, 3, shuffle: false, dropLast: false, Device.CPU, shard: shard), transform, group: world?.Group);
        }
        var single = Evaluate(null);
        foreach (var r in TwoRanks.Run(w => Evaluate(w)))
        {
            Assert.Equal(single.Count, r.Count);
            Assert.Equal(single.Top1, r.Top1);
            Assert.Equal(single.Top5, r.Top5);
            Assert.Equal(single.Loss, r.Loss, 6);
        }
    }
}
