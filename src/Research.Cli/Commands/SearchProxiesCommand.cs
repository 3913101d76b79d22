using Research.Search.Baseline;
using Research.Models.Networks;
using Research.Models.Specs;
using Research.Search.Darts;
using Research.Search.Proxies;
using Research.Training;
using Research.Training.Data;

namespace Research.Cli.Commands;

/// <summary>
/// `research search proxies`: zero-cost proxy scores of untrained networks (zoo models, spec or genotype files, genotypes
/// sampled from a space as `search random` samples them, or a grid/random run's candidates) from one batch, in proxies.csv;
/// with --against, their rank correlations with trained accuracy in proxy_correlation.csv.
/// </summary>
public static class SearchProxiesCommand
{
    public static Command Create()
    {
        var models = new Option<string[]>("--model") { Description = "a registered model, spec (.yaml) or genotype (.json); repeat for more", AllowMultipleArgumentsPerToken = true };
        var space = new Option<string?>("--space") { Description = "a search space: score --count genotypes drawn as `search random --seed` draws them" };
        var count = new Option<int>("--count") { Description = "genotypes to draw from --space", DefaultValueFactory = _ => 50 };
        var run = new Option<string?>("--run") { Description = "a `search random` or `search grid` run directory: score its candidates" };
        var scores = new Option<string?>("--scores") { Description = "a proxies.csv written before: correlate it (--against) without scoring again" };
        var proxies = new Option<string>("--proxies") { Description = $"proxies to compute, comma-separated ({string.Join(", ", ZeroCostProxy.Names)})", DefaultValueFactory = _ => string.Join(",", ZeroCostProxy.Names) };
        var batch = new Option<int>("--batch") { Description = "images in the batch drawn from --dataset", DefaultValueFactory = _ => 64 };
        var weights = new Option<string?>("--weights") { Description = "score these weights (.safetensors or .pth, any naming the model's family has) instead of a seeded initialisation" };
        var input = new Option<string?>("--input") { Description = "the batch as a .npy float32 array [N, C, H, W], already normalised (instead of one drawn from --dataset)" };
        var labels = new Option<string?>("--labels") { Description = "with --input: the labels as a .npy int64 array [N] (snip, grad_norm and fisher need them)" };
        var against = new Option<string?>("--against") { Description = "a run directory or a CSV (name and accuracy columns): Spearman and Kendall's tau-b of each proxy with accuracy" };
        var threads = CommonOptions.Threads();
        var outDir = CommonOptions.Out();
        var overrides = new SettingOptions<ModelOverrides>(ModelOverrides.Settings);
        var dataOptions = new SettingOptions<DataConfig>(DataConfig.Settings, except: "validation");
        var execution = new SettingOptions<ExecutionConfig>(ExecutionConfig.Settings, except: ExecutionConfig.DistributedKeys);
        var cmd = new Command("proxies", "zero-cost proxies (synflow, naswot, snip, grad_norm, fisher, jacob_cov, params, macs) of untrained networks; writes proxies.csv " +
                                         "and, with --against, proxy_correlation.csv")
            { models, space, count, run, scores, proxies, batch, weights, input, labels, against, threads, outDir };
        execution.AddTo(cmd);
        dataOptions.AddTo(cmd);
        overrides.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            using var start = ExecutionStart.Begin(parse, execution, threads);
            var (exec, device) = (start.Run, start.Device);
            var names = ZeroCostProxy.ParseList(parse.GetValue(proxies)!, "--proxies");
            string? againstPath = parse.GetValue(against), scoresPath = parse.GetValue(scores), inputPath = parse.GetValue(input);
            var modelList = parse.GetValue(models) ?? [];
            int sources = (modelList.Length > 0 ? 1 : 0) + (parse.GetValue(space) is null ? 0 : 1) + (parse.GetValue(run) is null ? 0 : 1) + (scoresPath is null ? 0 : 1);
            if (sources != 1) throw new ArgumentException("name the networks once: --model (repeatable), --space with --count, --run DIR, or --scores proxies.csv");
            if (parse.GetValue(labels) is not null && inputPath is null) throw new ArgumentException("--labels goes with --input");
            if (parse.GetValue(weights) is not null && modelList.Length != 1) throw new ArgumentException("--weights scores one network: give exactly one --model");
            if (againstPath is not null && !File.Exists(againstPath) && !Directory.Exists(againstPath))
                throw new FileNotFoundException($"--against: not found: {againstPath}", againstPath);

            List<ProxyRow> rows;
            string dir;
            if (scoresPath is not null)
            {
                rows = ProxyEvaluation.Read(scoresPath);
                names = ZeroCostProxy.Names.Where(n => n is ZeroCostProxy.Params or ZeroCostProxy.Macs || rows[0].Scores.ContainsKey(n)).ToList();
                dir = parse.GetValue(outDir) ?? Path.GetDirectoryName(Path.GetFullPath(scoresPath))!;
            }
            else
            {
                var modelOverrides = overrides.Bind(parse);
                var dataCfg = dataOptions.Bind(parse);
                bool needsData = inputPath is null && names.Any(ZeroCostProxy.NeedsBatch);
                // The data decides a model's shape (as for training), unless the batch is given: then the model's own and the overrides.
                var data = needsData || (inputPath is null && parse.GetValue(space) is not null) ? dataCfg.Load(exec.Seed, parse.InvocationConfiguration.Error) : null;
                var shape = data?.Shape;
                var candidates = Candidates(parse, modelList, space, count, run, modelOverrides, shape, exec.Seed);
                Func<NetworkSpec, ProxyBatch>? batchFor = null;
                if (inputPath is not null)
                {
                    // Every network must take the given batch: checked up front, before anything is scored or written.
                    foreach (var c in candidates) ProxyBatch.FromFiles(inputPath, parse.GetValue(labels), c.Spec).Dispose();
                    batchFor = spec => ProxyBatch.FromFiles(inputPath, parse.GetValue(labels), spec);
                }
                else if (data is not null) batchFor = spec => ProxyBatch.FromDataset(data, spec, parse.GetValue(batch), exec.Seed);
                foreach (var n in names.Where(ZeroCostProxy.NeedsLabels))
                    if (inputPath is not null && parse.GetValue(labels) is null)
                        throw new ArgumentException($"{n} needs labels: give --labels Y.npy with --input, or leave it out of --proxies " +
                                                    $"(e.g. --proxies {string.Join(",", names.Where(p => !ZeroCostProxy.NeedsLabels(p)))})");
                dir = parse.GetValue(outDir) ?? Path.Combine("runs", "proxies", $"{SourceName(parse, modelList, space, run)}-seed{exec.Seed}");
                o.WriteLine($"networks {candidates.Count} proxies {string.Join(",", names)} batch {(inputPath is not null ? Path.GetFileName(inputPath) : data is null ? "none" : $"{dataCfg.Name} {parse.GetValue(batch)}")} " +
                            $"seed {exec.Seed} device {device} threads {Torch.torch.get_num_threads()}");
                var clock = System.Diagnostics.Stopwatch.StartNew();
                rows = ProxyEvaluation.Score(candidates, names, batchFor, exec.Seed, device, parse.GetValue(weights), o);
                Directory.CreateDirectory(dir);
                ProxyEvaluation.Write(Path.Combine(dir, "proxies.csv"), names, rows);
                o.WriteLine($"proxies_csv {Path.Combine(dir, "proxies.csv")}");
                o.WriteLine($"seconds_per_network {Numbers.Fixed(clock.Elapsed.TotalSeconds / Math.Max(1, rows.Count), 2)}");
                if (rows.Count == 1)
                    foreach (var n in names) o.WriteLine($"{n} {Numbers.RoundTrip(rows[0].Value(n))}");
            }
            if (againstPath is not null)
            {
                var table = ProxyCorrelation.Compute(rows, RunCandidates.Accuracies(againstPath), names, exec.Seed);
                Directory.CreateDirectory(dir);
                ProxyCorrelation.Write(Path.Combine(dir, "proxy_correlation.csv"), table);
                var t = new TextTable("proxy", "n", "spearman", "95% interval", "kendall_tau_b", "95% interval", "vs_params", "95% interval");
                static string Interval(double lo, double hi) => $"[{Numbers.Fixed(lo, 3)}, {Numbers.Fixed(hi, 3)}]";
                foreach (var r in table)
                    t.Add(r.Proxy, r.Count, Numbers.Fixed(r.Spearman, 3), Interval(r.SpearmanLow, r.SpearmanHigh), Numbers.Fixed(r.Kendall, 3),
                        Interval(r.KendallLow, r.KendallHigh), Numbers.Fixed(r.VersusParams, 3), Interval(r.VersusParamsLow, r.VersusParamsHigh));
                o.Write(t.ToString());
                var winners = table.Where(r => r.Proxy != ZeroCostProxy.Params && r.BeatsParams).Select(r => r.Proxy).ToList();
                o.WriteLine($"beats_params {(winners.Count == 0 ? "none" : string.Join(",", winners))}");
                o.WriteLine($"proxy_correlation_csv {Path.Combine(dir, "proxy_correlation.csv")}");
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static List<ProxyCandidate> Candidates(ParseResult parse, string[] models, Option<string?> space, Option<int> count, Option<string?> run,
        ModelOverrides overrides, InputShape? shape, int seed)
    {
        if (parse.GetValue(space) is { } spacePath)
        {
            int n = parse.GetValue(count);
            if (n < 1) throw new ArgumentException($"--count {n}: must be >= 1");
            var sp = SearchSpace.Load(spacePath);
            var layout = shape is null
                ? sp.Supernet with
                {
                    InChannels = overrides.InChannels ?? sp.Supernet.InChannels, Classes = overrides.Classes ?? sp.Supernet.Classes,
                    Resolution = overrides.Resolution ?? sp.Supernet.Resolution,
                }
                : RandomSearch.Layout(sp, shape);
            return RandomSearch.Sample(sp, n, seed).Select((g, i) => new ProxyCandidate(RandomSearch.CandidateName(sp, i), layout.ToSpec(g, RandomSearch.CandidateName(sp, i))))
                .ToList();
        }
        if (parse.GetValue(run) is { } runDir)
            return RunCandidates.Read(runDir).Select(c => new ProxyCandidate(c.Name, SpecYaml.Load(c.SpecFile))).ToList();
        return models.Select(m => ModelSource.ResolveFor(m, overrides, shape)).Select(s => new ProxyCandidate(s.Name, s)).ToList();
    }

    private static string SourceName(ParseResult parse, string[] models, Option<string?> space, Option<string?> run) =>
        parse.GetValue(space) is { } s ? Path.GetFileNameWithoutExtension(s)
        : parse.GetValue(run) is { } r ? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(r)))
        : models.Length == 1 ? Path.GetFileNameWithoutExtension(models[0]) : "models";
}
