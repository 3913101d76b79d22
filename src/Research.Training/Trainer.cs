using Research.Core.IO;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Research.Core.Csv;
using Research.Models.Cost;
using Research.Models.Networks;
using Research.Models.Specs;
using Research.Models.Weights;
using Research.Torch;
using Research.Torch.Distributed;
using Research.Torch.IO;
using Research.Torch.Modules;
using Research.Torch.Optim;
using Research.Torch.Optim.Schedules;
using Research.Training.Data;
using Research.Training.Distributed;
using Research.Training.Transforms;

namespace Research.Training;

/// <summary>A training run's options beyond where and how it runs (<see cref="EpochLoopOptions"/>).</summary>
public sealed record TrainerOptions : EpochLoopOptions
{
    /// <summary>Where the dataset's files were read from (recorded for eval and predict; null: the dataset's usual place).</summary>
    public string? DataDir { get; init; }
    /// <summary>
    /// Stop after this epoch (null: the recipe's last): a search's rung. The schedule stays the recipe's,
    /// so a run stopped here and resumed later ends exactly as one that never stopped.
    /// </summary>
    public int? StopAfterEpoch { get; init; }
    /// <summary>Told at the end of every epoch (after its evaluation and checkpoint): the record and the time since training began.</summary>
    public Action<EpochRecord, TimeSpan>? EpochEnded { get; init; }
    /// <summary>Test seam: transforms each training input before the forward pass (e.g. to poison one).</summary>
    internal Func<int, int, Tensor, Tensor>? InputHook { get; init; }
}

/// <summary>What a finished run reports (also in metrics.json).</summary>
public sealed record TrainResult(string Model, string Dataset, long Params, long Macs, int Resolution, EpochRecord Final, EpochRecord Best,
    double Seconds, double ImagesPerSecond, string OutDir)
{
    /// <summary>Epochs trained so far (fewer than the recipe's when stopped at a rung).</summary>
    public int Epochs => Final.Epoch;
    /// <summary>The layout it trained in (memory_format auto: the probe's choice).</summary>
    public string MemoryFormat { get; init; } = MemoryLayout.Contiguous;
}

/// <summary>
/// Trains a network on a dataset: SGD/RMSprop/AdamW with decay only on weights, warmup +
/// cosine per iteration, label smoothing, gradient clipping, EMA, bf16 autocast on CUDA,
/// evaluation every epoch, an atomic checkpoint every epoch and an exact resume, and a guard
/// that stops on NaN/Inf loss keeping the last good checkpoint. On several ranks it trains
/// data-parallel (<see cref="DataParallel"/>): rank 0's initial state everywhere, each rank a
/// shard of every epoch and its share of the global batch, gradients averaged after backward,
/// evaluation sharded and summed, so the figures are those of one process with the global batch.
/// </summary>
public static class Trainer
{
    public static TrainResult Run(NetworkSpec spec, DatasetPair data, string datasetName, TrainConfig cfg, TrainerOptions opts)
    {
        cfg.Validate();
        spec.Validate();
        var files = new RunFiles(opts.OutDir);
        string identity = Identity(spec, datasetName, data, cfg);
        torch.manual_seed(cfg.Seed);
        var device = opts.Device;
        using var model = NetworkBuilder.Build(spec);
        model.to(device);
        // Pretrained weights go in before the optimizer and the EMA take their first copies (a resume restores its own),
        // and before anything is written: a file that does not fit leaves no run directory behind.
        if (!(opts.Resume && File.Exists(files.Checkpoint)) && cfg.InitFrom is { } init)
        {
            var report = WeightImport.LoadFile(model, init, newClassifier: true, device);
            if (opts.World?.IsMain ?? true) opts.Log?.WriteLine($"init_from {report}");
        }
        using var loop = EpochLoop.Open(opts, "training run", identity, cfg.BatchSize);
        var world = loop.World;
        bool main = loop.IsMain, resuming = loop.Resuming;
        int ranks = loop.Ranks;
        if (!resuming && main)
        {
            SpecYaml.Save(spec, files.Spec);
            DurableFile.WriteAllText(files.Config, identity);
        }

        var stats = data.Stats();
        var transform = new BatchTransform(stats, spec.InChannels, spec.Resolution, cfg.Augment, data.Recipe);
        int evalBatch = Math.Max(cfg.BatchSize, 256);
        var trainLoader = new DataLoader(data.Train, cfg.BatchSize / ranks, shuffle: true, dropLast: data.Train.Count >= cfg.BatchSize, device, cfg.Seed,
            world is null ? null : new DataShard(world.Rank, ranks, Pad: true));
        var testLoader = new DataLoader(data.Test, evalBatch, shuffle: false, dropLast: false, device, shard: world is null ? null : new DataShard(world.Rank, ranks, Pad: false));
        if (!resuming && main)
        {
            var classes = Preprocessing.ClassNamesOf(data.Train);
            new Preprocessing
            {
                Dataset = datasetName, DataDir = opts.DataDir, Mean = stats.Mean, Std = stats.Std, ImageChannels = data.Train.Channels,
                ImageHeight = data.Train.Height, ImageWidth = data.Train.Width, ModelChannels = spec.InChannels, Resolution = spec.Resolution,
                ClassNames = classes, EvalBatch = evalBatch, Recipe = ImageRecipes.Name(data.Recipe),
            }.Save(files.Preprocess);
            Preprocessing.SaveClasses(files.Classes, classes);
            if (data.Skipped.Count > 0) DurableFile.WriteAllText(files.SkippedImages, string.Join("\n", data.Skipped) + "\n");
        }
        var parallel = loop.Parallel;
        if (world is not null && cfg.SyncBatchNorm) torch.nn.convert_sync_batchnorm(model, world.Group);
        // Training time as a user waits for it (time-to-accuracy): from here, the layout probe included.
        var sinceStart = Stopwatch.StartNew();
        // The layout: the recipe's, or (auto) the probe's choice, made once and kept by a resume.
        string layout = cfg.MemoryFormat;
        string? probeReport = null;
        if (layout == MemoryLayout.Auto)
        {
            if (resuming && Checkpoint.ReadMetadata(files.Checkpoint).TryGetValue("memory_format", out var kept)) layout = kept;
            else
            {
                var probe = MemoryLayoutProbe.Run(spec, device, cfg.BatchSize / ranks);
                layout = probe.Choice;
                probeReport = probe.ToString();
                if (world is not null) layout = AgreeOnLayout(world, layout, device);
            }
            if (main) opts.Log?.WriteLine($"memory_format auto: {layout}{(probeReport is null ? " (kept from the checkpoint)" : $" ({probeReport})")}");
        }
        model.to(MemoryLayout.Resolve(layout));
        if (!resuming && main && probeReport is not null) DurableFile.WriteAllText(files.Config, WithLayout(identity, layout, probeReport));
        int steps = trainLoader.BatchesPerEpoch;
        using var optimizer = CreateOptimizer(cfg, model);
        var scheduler = new LRScheduler(optimizer, new CosineSchedule(cfg.LearningRate, (long)cfg.Epochs * steps, (long)Math.Round(cfg.WarmupEpochs * steps)));
        using var ema = cfg.EmaDecay is { } d ? new ExponentialMovingAverage(model, d, warmup: true) : null;

        var history = new List<EpochRecord>();
        if (loop.Restore(model, optimizer, scheduler, ema, cfg.Epochs) is { } meta)
            history = JsonSerializer.Deserialize<List<EpochRecord>>(meta["history"]) ?? [];
        int start = loop.StartEpoch;
        // Rank 0's weights everywhere (the ranks' random initialisations differ only if seeded differently; a resume loaded one file).
        parallel?.BroadcastState(model);
        if (ema is not null && parallel is not null) BroadcastEma(parallel, ema);

        var cost = CostModel.Estimate(spec);
        var clock = Stopwatch.StartNew();
        double trainSeconds = history.Sum(h => h.Seconds), sessionSeconds = 0;
        bool bf16 = cfg.Bf16 && device.Type == DeviceType.CUDA;
        using var lossSum = torch.zeros([], ScalarType.Float64, device);
        using var correctSum = torch.zeros([], ScalarType.Int64, device);
        if (cfg.CudaGraphs)
        {
            CudaGraphStep.Validate(cfg, device, world is not null);
            if (data.Train.Count < cfg.BatchSize) throw new ArgumentException($"cuda_graphs: {data.Train.Count} training images make no full batch of {cfg.BatchSize}");
            optimizer.UseLearningRateTensors(device);
        }
        using var graphs = cfg.CudaGraphs ? new CudaGraphStep(device) : null;

        // One training step; under cuda_graphs it is what the graph captures, so it only launches device work.
        void TrainStep(Tensor images, Tensor labels, int size, int epoch, int step)
        {
            using var scope = torch.NewDisposeScope();
            var x = transform.Apply(images, train: true);
            if (opts.InputHook is { } hook) x = hook(epoch, step, x);
            Tensor logits;
            using (torch.autocast(DeviceType.CUDA, enabled: bf16))
                logits = model.call(x);
            logits = logits.to(ScalarType.Float32);
            var loss = torch.nn.functional.cross_entropy(logits, labels, label_smoothing: cfg.LabelSmoothing);
            // DARTS's auxiliary head (cell networks that have one): its loss joins the main one, weighted, in training only.
            if (model.AuxiliaryLogits is { } aux)
                loss = loss + torch.nn.functional.cross_entropy(aux.to(ScalarType.Float32), labels, label_smoothing: cfg.LabelSmoothing) * model.AuxiliaryWeight;
            optimizer.zero_grad(set_to_none: graphs is null); // a graph keeps its gradient tensors
            loss.backward();
            parallel?.AverageGradients(model.parameters());
            if (cfg.ClipNorm > 0) torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.ClipNorm);
            optimizer.step();
            ema?.Update(model);
            using (torch.no_grad())
            {
                lossSum.add_(loss.detach().to(ScalarType.Float64) * size);
                correctSum.add_(logits.argmax(1).eq(labels).sum());
            }
        }

        int stop = Math.Min(cfg.Epochs, opts.StopAfterEpoch ?? cfg.Epochs);
        for (int epoch = start; epoch < stop; epoch++)
        {
            loop.SeedEpoch(cfg.Seed, epoch);
            model.train();
            model.SetEpoch(epoch, cfg.Epochs); // DARTS's drop-path schedule grows with the epoch
            lossSum.zero_();
            correctSum.zero_();
            int seen = 0, step = 0;
            var epochClock = Stopwatch.StartNew();
            foreach (var batch in trainLoader.Epoch(epoch))
                using (batch)
                {
                    if (graphs is null) TrainStep(batch.Images, batch.Labels, batch.Size, epoch, step);
                    else
                    {
                        var (e, s) = (epoch, step);
                        graphs.Run(batch, () => TrainStep(graphs.Images!, graphs.Labels!, batch.Size, e, s));
                    }
                    // After the update, as PyTorch's scheduler.step(); under cuda_graphs it fills the device learning rate for the next replay.
                    scheduler.step();
                    seen += batch.Size;
                    step++;
                    if (step % 50 == 0 || step == steps)
                    {
                        double running = lossSum.item<double>() / seen;
                        if (!double.IsFinite(running)) throw Diverged(files, epoch, step, history);
                        loop.ReportProgress(epoch + 1, cfg.Epochs, step, steps, running);
                    }
                }
            double lossTotal = lossSum.item<double>(), correctTotal = correctSum.item<long>();
            if (world is not null)
            {
                // The epoch's figures over every rank's share; rank 0's model (its batch-norm statistics) is the one evaluated and saved.
                var reduced = loop.SumOverRanks(lossTotal, correctTotal, seen);
                (lossTotal, correctTotal, seen) = (reduced[0], reduced[1], (int)reduced[2]);
                parallel!.BroadcastBuffers(model);
                if (ema is not null) BroadcastEma(parallel, ema);
            }
            double epochSeconds = epochClock.Elapsed.TotalSeconds;
            double trainLoss = lossTotal / seen;
            if (!double.IsFinite(trainLoss)) throw Diverged(files, epoch, step, history);
            double trainAcc = 100.0 * correctTotal / seen;

            EvalResult val;
            using (ema is null ? null : ema.Apply(model))
                val = Evaluation.Evaluate(model, testLoader, transform, bf16, group: world?.Group);
            trainSeconds += epochSeconds;
            sessionSeconds += epochSeconds;
            var record = new EpochRecord
            {
                Epoch = epoch + 1, LearningRate = scheduler.LearningRate, TrainLoss = trainLoss, TrainAccuracy = trainAcc,
                ValLoss = val.Loss, ValTop1 = val.Top1, ValTop5 = val.Top5, ImagesPerSecond = seen / epochSeconds, Seconds = epochSeconds,
            };
            history.Add(record);
            loop.SaveCheckpoint(epoch + 1, model, optimizer, scheduler, ema,
                [new("history", JsonSerializer.Serialize(history)), new("memory_format", layout)]);
            if (main)
            {
                WriteHistory(files.History, history);
                opts.Log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"epoch {record.Epoch}/{cfg.Epochs} lr {record.LearningRate:G4} train_loss {trainLoss:F4} train_acc {trainAcc:F2} val_loss {val.Loss:F4} val_top1 {val.Top1:F2} val_top5 {val.Top5:F2} images_per_s {record.ImagesPerSecond:F1} seconds {epochSeconds:F1}"));
                if (parallel is not null)
                    opts.Log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"ranks {ranks} allreduce_ms_per_step {1000 * parallel.ReduceSeconds / Math.Max(1, parallel.Reductions):F2} allreduce_share {100 * parallel.ReduceSeconds / Math.Max(1e-9, sessionSeconds):F1}%"));
            }
            opts.EpochEnded?.Invoke(record, sinceStart.Elapsed);
        }
        if (history.Count == 0) throw new InvalidOperationException($"{files.Dir}: no epoch trained (stop after {stop})");
        var cost0 = cost;
        if (history.Count < cfg.Epochs)
        {
            // Stopped at a rung: the checkpoint is the run's state; final weights and metrics come when it finishes.
            var last = history[^1];
            return new TrainResult(spec.Name, datasetName, cost0.Params, cost0.Macs, spec.Resolution, last, history.MaxBy(h => h.ValTop1)!,
                trainSeconds, history.Sum(h => h.ImagesPerSecond * h.Seconds) / Math.Max(trainSeconds, 1e-9), files.Dir) { MemoryFormat = layout };
        }

        // Final weights: the averaged ones when EMA is on (they are what was evaluated).
        if (ema is not null) ema.CopyTo(model);
        if (main)
        {
            var weights = model.state_dict();
            try
            {
                SafeTensors.Save(files.Weights, weights, new Dictionary<string, string> { ["model"] = spec.Name, ["dataset"] = datasetName });
            }
            finally
            {
                foreach (var t in weights.Values) t.Dispose();
            }
        }
        var final = history[^1];
        var best = history.MaxBy(h => h.ValTop1)!;
        var result = new TrainResult(spec.Name, datasetName, cost.Params, cost.Macs, spec.Resolution, final, best,
            trainSeconds, history.Sum(h => h.ImagesPerSecond * h.Seconds) / Math.Max(trainSeconds, 1e-9), files.Dir) { MemoryFormat = layout };
        if (main) DurableFile.WriteAllText(files.Metrics, JsonSerializer.Serialize(new
        {
            model = result.Model, dataset = result.Dataset, @params = result.Params, macs = result.Macs, resolution = result.Resolution,
            epochs = cfg.Epochs, final = result.Final, best = result.Best, train_seconds = result.Seconds, images_per_s = result.ImagesPerSecond,
        }, new JsonSerializerOptions { WriteIndented = true }));
        return result;
    }

    /// <summary>Rank 0's probe decides for every rank (their timings may differ; their layouts must not).</summary>
    private static string AgreeOnLayout(DistributedWorld world, string layout, Device device)
    {
        using var code = torch.tensor(new long[] { layout == MemoryLayout.ChannelsLast ? 1 : 0 }, device: world.Group.Backend == "nccl" ? device : null);
        world.Group.Broadcast(code, root: 0);
        using var host = code.cpu();
        return host.item<long>() == 1 ? MemoryLayout.ChannelsLast : MemoryLayout.Contiguous;
    }

    /// <summary>train.json: the identity, and what memory_format auto chose and why.</summary>
    private static string WithLayout(string identity, string layout, string probe)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(identity)!.AsObject();
        node["memory_format_chosen"] = layout;
        node["memory_format_probe"] = probe;
        return node.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Rank 0's averaged weights and statistics into every rank's EMA (their batch-norm statistics differ per rank).</summary>
    private static void BroadcastEma(DataParallel parallel, ExponentialMovingAverage ema)
    {
        var shadow = ema.state_dict();
        try
        {
            parallel.Broadcast(shadow.Where(kv => kv.Key != "updates").Select(kv => kv.Value).ToList());
        }
        finally
        {
            foreach (var t in shadow.Values) t.Dispose();
        }
    }

    private static Optimizer CreateOptimizer(TrainConfig cfg, Module model)
    {
        var groups = WeightDecayGroups.Split(model, cfg.WeightDecay);
        return cfg.Optimizer switch
        {
            "sgd" => new SGD(groups, cfg.LearningRate, momentum: cfg.Momentum, nesterov: cfg.Nesterov && cfg.Momentum > 0),
            // EfficientNet's recipe: RMSprop decay 0.9, momentum 0.9, eps 1e-3.
            "rmsprop" => new RMSprop(groups, cfg.LearningRate, alpha: 0.9, eps: 1e-3, momentum: cfg.Momentum),
            "adamw" => new AdamW(groups, cfg.LearningRate),
            _ => throw new ArgumentException($"unknown optimizer '{cfg.Optimizer}'"),
        };
    }

    /// <summary>What must match for a resume: the spec, the data and the recipe.</summary>
    private static string Identity(NetworkSpec spec, string dataset, DatasetPair data, TrainConfig cfg) =>
        JsonSerializer.Serialize(new
        {
            dataset, train = data.Train.Count, test = data.Test.Count, files = data.Fingerprint, recipe = ImageRecipes.Name(data.Recipe),
            mean = data.Normalization?.Mean, std = data.Normalization?.Std, spec = SpecYaml.ToYaml(spec), config = cfg,
        }, new JsonSerializerOptions { WriteIndented = true });

    private static TrainingDivergedException Diverged(RunFiles files, int epoch, int step, List<EpochRecord> history) =>
        new($"training diverged: the loss is NaN or infinite at epoch {epoch + 1}, step {step}. " +
            (history.Count > 0
                ? $"The last good checkpoint is {files.Checkpoint} (after epoch {history[^1].Epoch}); lower lr or add clip and resume from it."
                : "No checkpoint was written yet; lower lr or add clip."));

    private static void WriteHistory(string path, List<EpochRecord> history) => CsvTable.WriteRecords(path, history);
}
