using Research.Core.Csv;
using Research.Core.IO;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Research.Models.Cells;
using Research.Torch.IO;
using Research.Torch.Optim;
using Research.Torch.Optim.Schedules;
using Research.Training.Data;
using Research.Training.Transforms;

namespace Research.Search.Darts;

/// <summary>A search's options beyond where and how it runs (<see cref="EpochLoopOptions"/>).</summary>
public sealed record DartsOptions : EpochLoopOptions
{
    /// <summary>Stop after this many weight steps per epoch (benchmarks and tests; null: the whole epoch).</summary>
    public int? MaxStepsPerEpoch { get; init; }
}

/// <summary>One row of darts_epochs.csv.</summary>
public sealed record DartsEpoch(int Epoch, double TrainLoss, double TrainAccuracy, double ValLoss, double ValAccuracy, double Entropy,
    double ExpectedMacs, string Genotype, double Seconds, double PeakMemoryMiB)
{
    /// <summary>With a latency table: the expected latency under the op weights, and the derived genotype's predicted latency (ms).</summary>
    public double? ExpectedLatencyMs { get; init; }
    public double? GenotypeLatencyMs { get; init; }
}

public sealed record DartsResult(GenotypeFile Genotype, IReadOnlyList<DartsEpoch> History, double Seconds, string Dir);

/// <summary>
/// DARTS's bilevel search on a seeded split of the training set: each step first moves the
/// architecture on a batch of the validation half (first or second order), then the weights
/// on a batch of the training half. Every epoch it derives the genotype and writes a checkpoint
/// (supernet, both optimizers, schedule, RNG), darts_epochs.csv and alphas.csv, so a killed
/// search resumes from its last finished epoch and ends as an uninterrupted one would.
/// </summary>
public static class DartsSearch
{
    public const string GenotypeFileName = "genotype.json";
    public const string EpochsFileName = "darts_epochs.csv";
    public const string AlphasFileName = "alphas.csv";

    public static DartsResult Run(SearchSpace space, DatasetPair data, string datasetName, DartsConfig cfg, DartsOptions opts)
    {
        cfg.Validate();
        space.Validate();
        // The latency-aware search predicts the network the genotype will be trained in, from the table's entries: read before
        // anything is written, so a table that lacks an op's entry leaves nothing behind.
        var deployed = space.Network with { InChannels = data.Train.Channels, Classes = data.Train.Classes, Resolution = data.Shape.Size };
        var latencyTable = cfg.Latency.Table is { } tablePath ? Models.LatencyTables.LatencyTable.Load(tablePath) : null;
        var cellLatency = latencyTable is null ? null : Latency.SpaceLatency.ForDarts(space, deployed, latencyTable);
        string identity = JsonSerializer.Serialize(new { space = space.Name, ops = space.Ops.Select(o => o.ToString()), space.Nodes,
            supernet = space.Supernet.ToJsonObject().ToJsonString(), dataset = datasetName, train = data.Train.Count, config = cfg.ToJson() });
        using var loop = EpochLoop.Open(opts, "DARTS search", identity, cfg.Recipe.BatchSize);
        var world = loop.World;
        bool main = loop.IsMain;
        int ranks = loop.Ranks;
        string dir = opts.OutDir;

        var (trainIdx, valIdx) = DatasetSplit.Split(data.Train.Count, cfg.Recipe.TrainFraction, cfg.Recipe.Seed);
        var train = data.Train.Select(trainIdx, data.Train.Name + "-search-train");
        var val = data.Train.Select(valIdx, data.Train.Name + "-search-val");
        var evalSet = val.Take(Math.Min(cfg.EvalImages, val.Count));
        var device = opts.Device;

        torch.manual_seed(cfg.Recipe.Seed);
        var ds = data.Train;
        using var net = new Supernet(space, ds.Channels, ds.Classes, data.Shape.Size, cfg.PartialChannels);
        net.to(device).to(MemoryLayout.Resolve(cfg.Recipe.MemoryFormat));
        if (latencyTable is not null)
        {
            net.Latency = cellLatency;
            if (main) opts.Log?.WriteLine($"latency table {latencyTable.Source}: {latencyTable.Engine}, batch {latencyTable.Batch}, {latencyTable.Threads} thread(s), cpu {latencyTable.Machine.GetValueOrDefault("cpu")}; lambda {Numbers.RoundTrip(cfg.LatencyLambda)}");
        }
        var transform = new BatchTransform(data.Normalization ?? ChannelStats.Of(train), ds.Channels, data.Shape.Size, cfg.Recipe.Augment, data.Recipe);
        DataShard? Shard(bool pad) => world is null ? null : new DataShard(world.Rank, ranks, pad);
        var trainLoader = new DataLoader(train, cfg.Recipe.BatchSize / ranks, shuffle: true, dropLast: true, device, cfg.Recipe.Seed, Shard(pad: true));
        var valLoader = new DataLoader(val, cfg.Recipe.BatchSize / ranks, shuffle: true, dropLast: true, device, cfg.Recipe.Seed + 1, Shard(pad: true));
        var evalLoader = new DataLoader(evalSet, 256, shuffle: false, dropLast: false, device, shard: Shard(pad: false));
        int steps = Math.Min(trainLoader.BatchesPerEpoch, valLoader.BatchesPerEpoch);
        if (opts.MaxStepsPerEpoch is { } cap) steps = Math.Min(steps, cap);
        if (steps < 1) throw new ArgumentException($"the search split has too few images ({train.Count}/{val.Count}) for batches of {cfg.Recipe.BatchSize}");

        var weights = net.WeightParameters.ToList();
        using var weightOpt = new SGD(weights, cfg.Recipe.WeightLearningRate, momentum: cfg.Recipe.WeightMomentum, weight_decay: cfg.Recipe.WeightDecay);
        var scheduler = new LRScheduler(weightOpt, new CosineSchedule(cfg.Recipe.WeightLearningRate, (long)cfg.Epochs * steps, 0, cfg.Recipe.EffectiveLearningRateMin));
        using var architect = new Architect(net, cfg);
        var parallel = loop.Parallel;
        if (parallel is not null) architect.SynchroniseGradients = parallel.AverageGradients;
        var extra = new List<KeyValuePair<string, Optimizer>> { new("arch_optimizer", architect.Optimizer) };

        var history = new List<DartsEpoch>();
        var alphaRows = new List<AlphaRow>();
        if (loop.Restore(net, weightOpt, scheduler, null, cfg.Epochs, extra) is { } meta)
        {
            history = JsonSerializer.Deserialize<List<DartsEpoch>>(meta["history"]) ?? [];
            alphaRows = JsonSerializer.Deserialize<List<AlphaRow>>(meta["alphas"]) ?? [];
            if (main) WriteOutputs(dir, history, alphaRows);
        }
        parallel?.BroadcastState(net);

        var total = Stopwatch.StartNew();
        for (int epoch = loop.StartEpoch; epoch < cfg.Epochs; epoch++)
        {
            loop.SeedEpoch(cfg.Recipe.Seed, epoch);
            var clock = Stopwatch.StartNew();
            net.train();
            double lossSum = 0;
            long correct = 0, seen = 0;
            using var valBatches = valLoader.Epoch(epoch).GetEnumerator();
            int step = 0;
            foreach (var bt in trainLoader.Epoch(epoch))
            {
                if (step >= steps) { bt.Dispose(); break; }
                if (!valBatches.MoveNext()) { bt.Dispose(); break; }
                using var bv = valBatches.Current;
                using (bt)
                using (torch.NewDisposeScope())
                {
                    var xt = transform.Apply(bt.Images, train: true);
                    if (epoch >= cfg.ArchWarmupEpochs)
                    {
                        var xv = transform.Apply(bv.Images, train: true);
                        if (cfg.Order == "second") architect.StepSecondOrder(xt, bt.Labels, xv, bv.Labels, scheduler.LearningRate, weightOpt);
                        else architect.StepFirstOrder(xv, bv.Labels);
                    }
                    weightOpt.zero_grad();
                    var logits = net.call(xt);
                    var loss = torch.nn.functional.cross_entropy(logits, bt.Labels);
                    loss.backward();
                    net.Arch.zero_grad();
                    parallel?.AverageGradients(weights);
                    if (cfg.Recipe.GradientClip > 0) torch.nn.utils.clip_grad_norm_(weights, cfg.Recipe.GradientClip);
                    weightOpt.step();
                    scheduler.step();
                    double l = loss.item<double>();
                    if (!double.IsFinite(l))
                        throw new TrainingDivergedException($"the search diverged: the loss is NaN or infinite at epoch {epoch + 1}, step {step + 1}" +
                            (history.Count > 0 ? $"; the last good checkpoint is {loop.CheckpointPath} (after epoch {history[^1].Epoch})" : ""));
                    using (torch.no_grad())
                        correct += logits.argmax(1).eq(bt.Labels).sum().item<long>();
                    lossSum += l * bt.Size;
                    seen += bt.Size;
                }
                step++;
                if (step % 10 == 0 || step == steps)
                    loop.ReportProgress(epoch + 1, cfg.Epochs, step, steps, lossSum / seen);
            }
            if (world is not null)
            {
                // The epoch's training figures over every rank's share; rank 0's batch-norm statistics for evaluation and the checkpoint.
                var reduced = loop.SumOverRanks(lossSum, correct, seen);
                (lossSum, correct, seen) = (reduced[0], (long)reduced[1], (long)reduced[2]);
                parallel!.BroadcastBuffers(net);
            }
            var eval = Evaluation.Evaluate(net, evalLoader, transform, group: world?.Group);
            var genotype = Derive(net, space, cfg);
            double entropy, macs;
            double? expectedLatency = null, genotypeLatency = null;
            using (torch.no_grad())
            {
                entropy = (Entropy(net.Arch.AlphasNormal) + Entropy(net.Arch.AlphasReduce)) / 2;
                using var m = net.ExpectedMacs();
                macs = m.item<float>();
                if (latencyTable is not null)
                {
                    using var scope = torch.NewDisposeScope();
                    expectedLatency = net.ExpectedLatency().item<float>();
                    genotypeLatency = latencyTable.Predict(deployed.ToSpec(genotype, $"darts-{space.Name}"));
                }
            }
            alphaRows.AddRange(AlphaRows(epoch + 1, net, space));
            var record = new DartsEpoch(epoch + 1, lossSum / seen, 100.0 * correct / seen, eval.Loss, eval.Top1, entropy, macs,
                genotype.ToString(), clock.Elapsed.TotalSeconds, PeakMemory.PeakMiB()) { ExpectedLatencyMs = expectedLatency, GenotypeLatencyMs = genotypeLatency };
            history.Add(record);
            loop.SaveCheckpoint(epoch + 1, net, weightOpt, scheduler, null,
                [new("history", JsonSerializer.Serialize(history)), new("alphas", JsonSerializer.Serialize(alphaRows))], extra);
            if (!main) continue;
            WriteOutputs(dir, history, alphaRows);
            opts.Log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {record.Epoch}/{cfg.Epochs} train_loss {record.TrainLoss:F4} train_acc {record.TrainAccuracy:F2} val_loss {record.ValLoss:F4} val_acc {record.ValAccuracy:F2} entropy {entropy:F4} expected_mmacs {macs:F2} seconds {record.Seconds:F1} peak_mib {record.PeakMemoryMiB:F0}"));
            if (genotypeLatency is { } gl)
                opts.Log?.WriteLine($"expected_latency_ms {Numbers.Fixed(expectedLatency!.Value, 3)} genotype_latency_ms {Numbers.Fixed(gl, 3)}");
            opts.Log?.WriteLine($"genotype {record.Genotype}");
        }

        var final = Derive(net, space, cfg);
        var file = new GenotypeFile($"darts-{space.Name}", final, deployed);
        if (main) file.Save(Path.Combine(dir, GenotypeFileName));
        return new DartsResult(file, history, history.Sum(h => h.Seconds), dir);
    }

    /// <summary>The genotype the current architecture weights give.</summary>
    public static Genotype Derive(Supernet net, SearchSpace space, DartsConfig cfg)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        double[]? EdgeWeights(Tensor betas) => cfg.PartialChannels > 1
            ? torch.cat(ArchitectureParameters.EdgeWeights(betas, space.Nodes), 0).to(ScalarType.Float64).cpu().data<double>() : null;
        return GenotypeDerivation.Derive(Matrix(net.Arch.AlphasNormal.softmax(-1)), Matrix(net.Arch.AlphasReduce.softmax(-1)),
            EdgeWeights(net.Arch.BetasNormal), EdgeWeights(net.Arch.BetasReduce), space.Ops, space.Nodes, cfg.SkipCapOrNull);
    }

    private static double[,] Matrix(Tensor t)
    {
        var v = t.to(ScalarType.Float64).cpu().data<double>();
        int rows = (int)t.size(0), cols = (int)t.size(1);
        var m = new double[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) m[i, j] = v[i * cols + j];
        return m;
    }

    /// <summary>Mean entropy (nats) of the edges' op distributions.</summary>
    private static double Entropy(Tensor alphas)
    {
        using var scope = torch.NewDisposeScope();
        var p = alphas.softmax(-1);
        return -(p * p.clamp(min: 1e-12).log()).sum(1).mean().item<float>();
    }

    /// <summary>One row of alphas.csv: an op's softmax weight on an edge at the end of an epoch.</summary>
    public sealed record AlphaRow(int Epoch, string Cell, int Edge, int Node, int Input, string Op, double Weight);

    private static IEnumerable<AlphaRow> AlphaRows(int epoch, Supernet net, SearchSpace space)
    {
        var rows = new List<AlphaRow>();
        using var scope = torch.NewDisposeScope();
        foreach (var (cell, alphas) in new[] { ("normal", net.Arch.AlphasNormal), ("reduce", net.Arch.AlphasReduce) })
        {
            var m = Matrix(alphas.detach().softmax(-1));
            int e = 0;
            for (int n = 0; n < space.Nodes; n++)
                for (int j = 0; j < n + 2; j++, e++)
                    for (int o = 0; o < space.Ops.Count; o++)
                        rows.Add(new AlphaRow(epoch, cell, e, n + 2, j, space.Ops[o].Name, m[e, o]));
        }
        return rows;
    }

    public static readonly string[] EpochColumns =
        ["epoch", "train_loss", "train_acc", "val_loss", "val_acc", "alpha_entropy", "expected_mmacs", "expected_latency_ms", "genotype_latency_ms", "genotype", "seconds",
            "peak_memory_mib"];

    public static readonly string[] AlphaColumns = ["epoch", "cell", "edge", "node", "input", "op", "weight"];

    private static void WriteOutputs(string dir, IReadOnlyList<DartsEpoch> history, IReadOnlyList<AlphaRow> alphas)
    {
        CsvTable.Write(Path.Combine(dir, EpochsFileName), EpochColumns, history.Select(h => new[]
        {
            Numbers.Integer(h.Epoch), Numbers.RoundTrip(h.TrainLoss), Numbers.RoundTrip(h.TrainAccuracy), Numbers.RoundTrip(h.ValLoss),
            Numbers.RoundTrip(h.ValAccuracy), Numbers.RoundTrip(h.Entropy), Numbers.RoundTrip(h.ExpectedMacs), Numbers.RoundTrip(h.ExpectedLatencyMs),
            Numbers.RoundTrip(h.GenotypeLatencyMs), h.Genotype, Numbers.Fixed(h.Seconds, 1),
            Numbers.Fixed(h.PeakMemoryMiB, 1),
        }));
        CsvTable.Write(Path.Combine(dir, AlphasFileName), AlphaColumns, alphas.Select(r => new[]
        {
            Numbers.Integer(r.Epoch), r.Cell, Numbers.Integer(r.Edge), Numbers.Integer(r.Node), Numbers.Integer(r.Input), r.Op, Numbers.RoundTrip(r.Weight),
        }));
    }
}
