using Research.Core.Csv;
using System.Text.Json.Nodes;
using System.Xml;
using Research.Experiments.Reports;

namespace Research.Experiments.Tests;

public class PipelineTests
{
    // One libtorch thread: the runs are tiny, and on a shared 2-core machine OpenMP's threads mostly wait for each other.
    static PipelineTests() => Research.Torch.torch.set_num_threads(1);

    private static JsonNode Manifest(string runDir) => JsonNode.Parse(File.ReadAllText(Path.Combine(runDir, "manifest.json")))!;

    /// <summary>A CSV's lines without the named (timing) columns.</summary>
    private static List<string> WithoutColumns(string path, params string[] drop)
    {
        var text = File.ReadAllText(path);
        var header = text[..text.IndexOf('\n')].Split(',');
        var keep = header.Where(h => !drop.Contains(h)).ToList();
        return [string.Join(",", keep), .. CsvTable.Parse(text).Select(r => string.Join(",", keep.Select(h => r[h])))];
    }

    private static readonly string[] CsvFiles = [Path.Combine("grid", "candidates.csv"), Path.Combine("scale", "scale.csv"), Path.Combine("train", "family.csv")];

    [Fact]
    public void TheWholePipelineRunsSkipsWhenRepeatedResumesAndReproduces()
    {
        using var w = new Workspace();
        var file = w.Write("exp.yaml", Workspace.Pipeline);
        var config = ExperimentFile.Load(file);

        // 1. A full run: every stage done, the report written.
        var outcome = ExperimentRunner.Run(config, new RunOptions { OutRoot = Path.Combine(w.Dir, "runs-a") });
        string run = outcome.RunDir;
        Assert.Equal(Path.Combine(w.Dir, "runs-a", config.RunName), run);
        Assert.Equal(["grid", "scale", "train", "report"], outcome.Stages.Select(s => s.Stage));
        Assert.All(outcome.Stages, s => Assert.Equal("ran", s.Action));
        var m = Manifest(run);
        Assert.Equal("done", m["status"]!.GetValue<string>());
        Assert.Equal(config.Hash, m["hash"]!.GetValue<string>());
        foreach (var s in new[] { "grid", "scale", "train", "report" }) Assert.Equal("done", m["stages"]![s]!["status"]!.GetValue<string>());
        Assert.Equal("cpu", m["environment"]!["device"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(m["environment"]!["libtorch"]!.GetValue<string>()));
        // The CPU's model and the vector extensions that choose its kernels: two CPUs of one model name can give other digits.
        Assert.Equal(Research.Models.LatencyTables.MachineKey.CpuModel(), m["environment"]!["cpu"]!.GetValue<string>());
        Assert.Equal(Research.Models.LatencyTables.MachineKey.VectorExtensions(), m["environment"]!["cpu_extensions"]!.GetValue<string>());
        // Which of the project's own kernels the run used: they move its last digits.
        Assert.Equal(Research.Torch.torch.fused_batch_norm_act_enabled, m["environment"]!["kernels"]!["fused_batch_norm_act"]!.GetValue<bool>());
        Assert.Equal(Research.Torch.torch.depthwise_conv_kernel_enabled, m["environment"]!["kernels"]!["depthwise_weight_grad"]!.GetValue<bool>());
        Assert.Equal(60, m["config"]!["stages"]!["grid"]!["search"]!["batch"]!.GetValue<int>()); // the resolved config is in the manifest
        Assert.Equal(0.9, m["config"]!["stages"]!["train"]!["recipe"]!["momentum"]!.GetValue<double>()); // with its defaults
        Assert.True(File.Exists(Path.Combine(run, "log.txt")));
        Assert.True(File.Exists(Path.Combine(run, "grid", "best.json")));
        Assert.True(File.Exists(Path.Combine(run, "grid", "base.yaml")));
        Assert.True(File.Exists(Path.Combine(run, "scale", "tiny-phi1.yaml")));
        var family = CsvTable.Read(Path.Combine(run, "train", "family.csv"));
        Assert.Equal(["tiny-phi0", "tiny-phi1", "mobilenet_v3_small-w0.25"], family.Select(r => r["name"]));
        Assert.Equal(["member", "member", "baseline"], family.Select(r => r["kind"]));
        foreach (var column in new[] { "val_top1", "test_top1" }) // holdout: both the held-out and the test accuracy
            Assert.All(family, r => Assert.InRange(double.Parse(r[column], System.Globalization.CultureInfo.InvariantCulture), 0, 100));
        Assert.True(File.Exists(Path.Combine(run, "train", "tiny-phi0", "test.json")));

        var summary = File.ReadAllText(Path.Combine(run, "summary.md"));
        Assert.Contains("# tiny pipeline", summary);
        Assert.Contains("| experiment | tiny-pipeline |", summary);
        Assert.Contains("Grid search winner: α = ", summary);
        Assert.Contains("`mobilenet_v3_small-w0.25` | baseline", summary);
        var svg = new XmlDocument();
        svg.Load(Path.Combine(run, "plot.svg")); // valid XML
        Assert.Equal("svg", svg.DocumentElement!.LocalName);
        var ns = new XmlNamespaceManager(svg.NameTable);
        ns.AddNamespace("s", "http://www.w3.org/2000/svg");
        Assert.Single(svg.SelectNodes("//s:polyline", ns)!.Cast<XmlNode>()); // the family's line
        var texts = svg.SelectNodes("//s:text", ns)!.Cast<XmlNode>().Select(n => n.InnerText).ToList();
        Assert.Contains("φ1", texts);
        Assert.Contains("mobilenet_v3_small-w0.25", texts);
        Assert.Contains("baselines", texts);
        Assert.Contains("MACs (log scale)", texts);

        // 2. The same file again (through the CLI): every stage is skipped, nothing retrains.
        var checkpoint = Path.Combine(run, "train", "tiny-phi0", "checkpoint.safetensors");
        var stamp = File.GetLastWriteTimeUtc(checkpoint);
        var (code, output, err) = CliRunner.Run("run", file, "--out", Path.Combine(w.Dir, "runs-a"));
        Assert.True(code == 0, err);
        foreach (var s in new[] { "grid", "scale", "train", "report" }) Assert.Contains($"stage {s} skipped", output);
        Assert.Contains("tiny-phi1", output); // the family table
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(checkpoint));
        Assert.Equal(2, Manifest(run)["invocations"]!.GetValue<int>());

        // 3. A killed train stage: without --resume the run refuses; with it, only train (and report) run again,
        //    the finished member is read back, the lost one retrains, to the same numbers.
        var before = WithoutColumns(Path.Combine(run, "train", "family.csv"), "images_per_s", "seconds");
        var node = Manifest(run);
        node["stages"]!["train"]!["status"] = "running";
        File.WriteAllText(Path.Combine(run, "manifest.json"), node.ToJsonString());
        File.Delete(Path.Combine(run, "train", "family.csv"));
        Directory.Delete(Path.Combine(run, "train", "tiny-phi1"), recursive: true);
        var refused = Assert.Throws<ArgumentException>(() => ExperimentRunner.Run(config, new RunOptions { OutRoot = Path.Combine(w.Dir, "runs-a") }));
        Assert.Contains("resume it", refused.Message);
        var resumed = ExperimentRunner.Run(config, new RunOptions { OutRoot = Path.Combine(w.Dir, "runs-a"), Resume = true });
        Assert.Equal(["skipped", "skipped", "ran", "ran"], resumed.Stages.Select(s => s.Action));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(checkpoint));
        Assert.Equal(before, WithoutColumns(Path.Combine(run, "train", "family.csv"), "images_per_s", "seconds"));

        // 4. Another output folder: the same CSVs, timing columns aside.
        var other = ExperimentRunner.Run(config, new RunOptions { OutRoot = Path.Combine(w.Dir, "runs-b") }).RunDir;
        Assert.Equal(Path.GetFileName(run), Path.GetFileName(other));
        foreach (var csv in CsvFiles)
            Assert.Equal(WithoutColumns(Path.Combine(run, csv), "images_per_s", "seconds"), WithoutColumns(Path.Combine(other, csv), "images_per_s", "seconds"));

        // 5. `research report` rewrites the report and prints the table.
        File.Delete(Path.Combine(other, "plot.svg"));
        (code, output, err) = CliRunner.Run("report", other);
        Assert.True(code == 0, err);
        Assert.True(File.Exists(Path.Combine(other, "plot.svg")));
        Assert.Contains("mobilenet_v3_small", output);
        Assert.Contains("test_top1", output);

        // 6. With a latency table of every network the run trained (members and baseline), each row gains its prediction.
        var trainedSpecs = Directory.GetFiles(Path.Combine(other, "train"), "model.yaml", SearchOption.AllDirectories);
        Assert.Equal(3, trainedSpecs.Length);
        var table = MeasureTable(w.Path_("latency.csv"), trainedSpecs);
        (code, output, err) = CliRunner.Run("report", other, "--latency-table", table, "--format", "csv");
        Assert.True(code == 0, err);
        var predicted = CsvTable.Parse(output);
        Assert.Equal(3, predicted.Count);
        var latencies = Research.Models.LatencyTables.LatencyTable.Load(table);
        foreach (var spec in trainedSpecs.Select(Research.Models.Specs.SpecYaml.Load))
            Assert.Equal(latencies.Predict(spec), double.Parse(predicted.Single(r => r["name"] == spec.Name)["predicted_latency_ms"], System.Globalization.CultureInfo.InvariantCulture), 9);
        Assert.Contains("| predicted latency (ms) |", File.ReadAllText(Path.Combine(other, "summary.md")));
        // 7. While another process writes the run (here: holds its lock), a second `run` is refused naming it (exit 1),
        //    and `report` only reads: it prints the table and leaves plot.svg and summary.md as they are.
        File.Delete(Path.Combine(other, "plot.svg"));
        using (Research.Core.IO.RunDirectoryLock.Acquire(other))
        {
            (code, _, err) = CliRunner.Run("run", file, "--out", Path.Combine(w.Dir, "runs-b"));
            Assert.Equal(Research.Cli.ExitCodes.Failure, code);
            Assert.Contains($"is being written by pid {Environment.ProcessId}", err);
            (code, output, err) = CliRunner.Run("report", other);
            Assert.True(code == 0, err);
            Assert.Contains("test_top1", output);
            Assert.Contains("summary.md and plot.svg are left as they are", err);
            Assert.False(File.Exists(Path.Combine(other, "plot.svg")));
        }
        Assert.Equal(1, Manifest(other)["invocations"]!.GetValue<int>()); // the refused run changed nothing
    }

    /// <summary>A latency table (libtorch, this CPU, batch 1, one timed run per part) of the networks in these spec files.</summary>
    private static string MeasureTable(string path, IEnumerable<string> specFiles)
    {
        var table = Research.Models.LatencyTables.LatencyTableBuilder.Measure(specFiles.Select(Research.Models.Specs.SpecYaml.Load),
            new Research.Models.LatencyTables.LibtorchEngine(Research.Torch.Device.CPU), 1, 1, new Research.Models.LatencyTables.LatencyTiming(0, 1));
        table.Save(path);
        return path;
    }

    [Fact]
    public void TheReportPredictsEachMembersLatencyFromTheExperimentsTable()
    {
        using var w = new Workspace();
        const string Scale = "  scale: {base: tiny.yaml, coefficients: {alpha: 1.2, beta: 1.1, gamma: 1.15}, phi: [0, 1, 2]}\n";
        var costs = ExperimentRunner.Run(ExperimentFile.Load(w.Write("costs.yaml", "name: costs\nstages:\n" + Scale + "  report: {}\n")),
            new RunOptions { OutRoot = Path.Combine(w.Dir, "runs") }).RunDir;
        var members = Directory.GetFiles(Path.Combine(costs, "scale"), "tiny-phi*.yaml").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(3, members.Length);
        MeasureTable(w.Path_("t.csv"), members);
        // A table without the largest member's parts.
        MeasureTable(w.Path_("partial.csv"), members[..1]);

        // The experiment file's report key: summary.md's family table gains the column and says where the figures come from.
        var config = ExperimentFile.Load(w.Write("exp.yaml", "name: latency\nstages:\n" + Scale + "  report: {latency_table: t.csv}\n"));
        var run = ExperimentRunner.Run(config, new RunOptions { OutRoot = Path.Combine(w.Dir, "runs") }).RunDir;
        var summary = File.ReadAllText(Path.Combine(run, "summary.md"));
        Assert.Contains("| predicted latency (ms) |", summary);
        Assert.Contains("Predicted latency: the sum of the parts' entries in `t.csv` (libtorch", summary);
        var table = Research.Models.LatencyTables.LatencyTable.Load(w.Path_("t.csv"));
        var report = RunReport.Read(run, w.Path_("t.csv"));
        foreach (var r in report.Rows)
        {
            double expected = table.Predict(Research.Models.Specs.SpecYaml.Load(Path.Combine(run, "scale", r.Name + ".yaml")));
            Assert.Equal(expected, r.PredictedLatencyMs!.Value, 12);
            Assert.Contains($"| {Human.Num(expected, "0.000")} |", summary);
        }
        // The table is an input: another table is another run.
        File.AppendAllText(w.Path_("t.csv"), "extra_part,00000000,3,8,8,1\n");
        Assert.NotEqual(config.Hash, ExperimentFile.Load(w.Path_("exp.yaml")).Hash);

        // A table that lacks a member's part: exit 2 naming the part, and the report already there is left as it was.
        var (code, output, err) = CliRunner.Run("report", costs, "--latency-table", w.Path_("partial.csv"));
        Assert.Equal(2, code);
        Assert.Contains("partial.csv: no entry for ", err);
        Assert.DoesNotContain("predicted", File.ReadAllText(Path.Combine(costs, "summary.md")));
        Assert.Equal("", output);
        // The printed table gains the column too.
        (code, output, err) = CliRunner.Run("report", costs, "--latency-table", w.Path_("t.csv"));
        Assert.True(code == 0, err);
        Assert.Contains("predicted_ms", output);
    }

    [Fact]
    public void ScaleWithoutTrainingReportsCostsOnly()
    {
        using var w = new Workspace();
        var config = ExperimentFile.Load(w.Write("exp.yaml", """
            name: costs
            stages:
              scale: {base: efficientnet_b0, table: efficientnet, phi: [0, 1, 2, 3]}
              report: {}
            """));
        var run = ExperimentRunner.Run(config, new RunOptions { OutRoot = Path.Combine(w.Dir, "runs") }).RunDir;
        var rows = CsvTable.Read(Path.Combine(run, "scale", "scale.csv"));
        Assert.Equal(["5288548", "7794184", "9109994", "12233232"], rows.Select(r => r["params"])); // torchvision's B0–B3
        var summary = File.ReadAllText(Path.Combine(run, "summary.md"));
        Assert.Contains("Costs only", summary);
        Assert.DoesNotContain("top-1", summary);
        var svg = new XmlDocument();
        svg.Load(Path.Combine(run, "plot.svg"));
        Assert.Contains("parameters (millions)", svg.InnerText);
    }

    [Fact]
    public void TheAblationStageTrainsEachModeAndIsReported()
    {
        using var w = new Workspace();
        var config = ExperimentFile.Load(w.Write("exp.yaml", """
            name: ablation
            device: cpu
            dataset: {name: synthetic, subset: 100, validation: 0.2}
            stages:
              ablation: {base: tiny.yaml, targets: [2], macs_tolerance: 1, epochs: 1, batch: 40, lr: 0.05}
              report: {}
            """));
        var run = ExperimentRunner.Run(config, new RunOptions { OutRoot = Path.Combine(w.Dir, "runs") }).RunDir;
        var rows = CsvTable.Read(Path.Combine(run, "ablation", "ablation.csv"));
        Assert.Equal(["width", "depth", "resolution", "compound"], rows.Select(r => r["mode"]));
        Assert.All(rows, r => Assert.InRange(double.Parse(r["macs_ratio"], System.Globalization.CultureInfo.InvariantCulture), 1.3, 3));
        Assert.Contains("## Scaling ablation", File.ReadAllText(Path.Combine(run, "summary.md")));
    }

    /// <summary>
    /// seeds on darts, random and train: each seed in its own seed&lt;S&gt;/ folder, the best search seed taken, one
    /// family.csv row per model and seed, the comparisons tested; a seed's lost folder is retrained alone, to the same rows.
    /// </summary>
    [Fact]
    public void EveryTrainingStageRunsItsSeedsEachInItsOwnFolder()
    {
        using var w = new Workspace();
        w.Write("space.yaml", TinySpace);
        var config = ExperimentFile.Load(w.Write("exp.yaml", """
            name: seeds-pipeline
            device: cpu
            dataset: {name: synthetic, subset: 120, validation: 0.2}
            stages:
              darts: {space: space.yaml, epochs: 1, batch: 16, partial_channels: 2, arch_lr: 0.003, seeds: [1, 2]}
              random: {space: space.yaml, count: 1, epochs: 1, batch: 16, seeds: [2, 1]}
              scale: {base: {from: darts}, coefficients: {alpha: 1.2, beta: 1.1, gamma: 1.15}, phi: [0, 1]}
              train:
                epochs: 1
                batch: 24
                lr: 0.05
                seeds: [1, 2]
                baselines: [{model: mobilenet_v3_small, width_mult: 0.25, small_input: true}]
              report: {compare: [[phi1, phi0], [phi0, mobilenet_v3_small-w0.25]]}
            """));
        var outcome = ExperimentRunner.Run(config, new RunOptions { OutRoot = Path.Combine(w.Dir, "runs") });
        var run = outcome.RunDir;
        foreach (var (stage, file) in new[] { ("darts", "genotype.json"), ("random", "random_genotype.json") })
        {
            var seeds = CsvTable.Read(Path.Combine(run, stage, "seeds.csv"));
            Assert.Equal(stage == "darts" ? ["1", "2"] : ["2", "1"], seeds.Select(r => r["seed"]));
            var taken = Assert.Single(seeds, r => r["taken"] == "yes");
            Assert.Equal(seeds.Max(r => double.Parse(r["held_out_top1"], System.Globalization.CultureInfo.InvariantCulture)),
                double.Parse(taken["held_out_top1"], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(File.ReadAllText(Path.Combine(run, stage, "seed" + taken["seed"], file)), File.ReadAllText(Path.Combine(run, stage, file)));
        }
        var family = CsvTable.Read(Path.Combine(run, "train", "family.csv"));
        Assert.Equal(["1", "1", "1", "2", "2", "2"], family.Select(r => r["seed"]));
        var names = family.Take(3).Select(r => r["name"]).ToList();
        Assert.Equal(names, family.Skip(3).Select(r => r["name"]));
        Assert.True(File.Exists(Path.Combine(run, "train", names[0], "seed2", "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(run, "train", "baselines", names[2], "seed1", "model.safetensors")));
        var summary = File.ReadAllText(Path.Combine(run, "summary.md"));
        Assert.Contains("## Comparisons", summary);
        Assert.Contains(" ± ", summary);
        Assert.DoesNotContain("a smoke test", summary);
        var report = RunReport.Read(run);
        Assert.All(report.Rows, r => Assert.Equal(2, r.SeedCount));
        Assert.All(report.Comparisons, c => Assert.NotNull(c.Welch));

        // A seed's folder lost and the table with it: only that seed trains again, to the same rows.
        var before = WithoutColumns(Path.Combine(run, "train", "family.csv"), "images_per_s", "seconds");
        File.Delete(Path.Combine(run, "train", "family.csv"));
        Directory.Delete(Path.Combine(run, "train", "baselines", names[2], "seed2"), recursive: true);
        var again = ExperimentRunner.Run(config, new RunOptions { OutRoot = Path.Combine(w.Dir, "runs") });
        Assert.Equal("skipped", again.Stages.First(s => s.Stage == "darts").Action);
        Assert.Equal("ran", again.Stages.First(s => s.Stage == "train").Action);
        Assert.Equal(before, WithoutColumns(Path.Combine(run, "train", "family.csv"), "images_per_s", "seconds"));
    }

    [Fact]
    public void PinnedKernelsRunAsTheFileSaysAreRecordedAndPutBackAndAChangeOnResumeIsSaid()
    {
        var before = (Research.Torch.torch.fused_batch_norm_act_enabled, Research.Torch.torch.depthwise_conv_kernel_enabled);
        try
        {
            using var w = new Workspace();
            string Yaml(string kernels) => $$"""
                name: pinned
                {{kernels}}
                device: cpu
                dataset: {name: synthetic, subset: 120}
                stages:
                  train: {epochs: 1, batch: 24, lr: 0.05, baselines: [{model: mobilenet_v3_small, width_mult: 0.25, small_input: true}]}
                """;
            var runs = Path.Combine(w.Dir, "runs");
            Research.Torch.torch.fused_batch_norm_act_enabled = Research.Torch.torch.depthwise_conv_kernel_enabled = true;
            var off = ExperimentRunner.Run(ExperimentFile.Load(w.Write("off.yaml", Yaml("kernels: off"))), new RunOptions { OutRoot = runs });
            var kernels = Manifest(off.RunDir)["environment"]!["kernels"]!;
            Assert.False(kernels["fused_batch_norm_act"]!.GetValue<bool>());
            Assert.False(kernels["depthwise_weight_grad"]!.GetValue<bool>());
            // The process is left as it was found.
            Assert.True(Research.Torch.torch.fused_batch_norm_act_enabled);
            Assert.True(Research.Torch.torch.depthwise_conv_kernel_enabled);

            // The pinned file trains exactly as a file that says nothing in a process whose switches are off (RESEARCH_FUSED_BN=0 ...).
            Research.Torch.torch.fused_batch_norm_act_enabled = Research.Torch.torch.depthwise_conv_kernel_enabled = false;
            var unsaidConfig = ExperimentFile.Load(w.Write("unsaid.yaml", Yaml("")));
            var unsaid = ExperimentRunner.Run(unsaidConfig, new RunOptions { OutRoot = runs });
            Assert.NotEqual(off.RunDir, unsaid.RunDir);
            Assert.Equal(WithoutColumns(Path.Combine(off.RunDir, "train", "family.csv"), "images_per_s", "seconds"),
                WithoutColumns(Path.Combine(unsaid.RunDir, "train", "family.csv"), "images_per_s", "seconds"));

            // The unpinned run invoked again with other switches: said, since a stage that resumes would mix the two.
            Research.Torch.torch.fused_batch_norm_act_enabled = Research.Torch.torch.depthwise_conv_kernel_enabled = true;
            var output = new StringWriter();
            ExperimentRunner.Run(unsaidConfig, new RunOptions { OutRoot = runs, Output = output });
            Assert.Contains("warning: the run's last invocation had kernels fused_batch_norm_act off depthwise_weight_grad off, " +
                            "this one has fused_batch_norm_act on depthwise_weight_grad on", output.ToString());
        }
        finally
        {
            (Research.Torch.torch.fused_batch_norm_act_enabled, Research.Torch.torch.depthwise_conv_kernel_enabled) = before;
        }
    }

    private const string TinySpace = """
        name: tiny
        ops:
          none: none
          skip_connect: skip
          max_pool_3x3: max_pool_k3
          mbconv_k3_e2: ir_k3_e2_arelu_noskip
        nodes: 2
        supernet: {cells: 2, channels: 4, stem_multiplier: 1, stem_stride: 2, reductions: [1]}
        network: {cells: 2, channels: 4, stem_multiplier: 2, stem_stride: 2, reductions: [1]}
        """;

    [Fact]
    public void TheDartsStageHandsItsGenotypeToTheGridAndTheReport()
    {
        using var w = new Workspace();
        w.Write("space.yaml", TinySpace);
        var config = ExperimentFile.Load(w.Write("exp.yaml", """
            name: darts-pipeline
            device: cpu
            dataset: {name: synthetic, subset: 120, validation: 0.2}
            stages:
              darts: {space: space.yaml, epochs: 1, batch: 16, partial_channels: 2, arch_lr: 0.003}
              grid: {base: {from: darts}, max_candidates: 1, epochs: 1, batch: 24, lr: 0.05}
              scale: {phi: [0, 1]}
              train: {epochs: 1, batch: 24, lr: 0.05}
              report: {}
            """));
        var outcome = ExperimentRunner.Run(config, new RunOptions { OutRoot = Path.Combine(w.Dir, "runs") });
        var run = outcome.RunDir;
        Assert.Equal(["darts", "grid", "scale", "train", "report"], outcome.Stages.Select(s => s.Stage));
        var m = Manifest(run);
        Assert.All(["darts", "grid", "scale", "train", "report"], s => Assert.Equal("done", m["stages"]![s]!["status"]!.GetValue<string>()));
        var genotype = Research.Models.Cells.GenotypeFile.Load(Path.Combine(run, "darts", "genotype.json"));
        Assert.True(File.Exists(Path.Combine(run, "darts", "darts_epochs.csv")));
        Assert.True(File.Exists(Path.Combine(run, "darts", "alphas.csv")));
        // The grid's base is the searched cell network, and the family members carry its cell.
        var member = Research.Models.Specs.SpecYaml.Load(Directory.GetFiles(Path.Combine(run, "scale"), "*.yaml").Order().First());
        Assert.Equal(genotype.Genotype, member.Cell);
        Assert.Contains(genotype.Genotype.ToString(), File.ReadAllText(Path.Combine(run, "summary.md")));

        // Run again: the search is not repeated.
        var again = ExperimentRunner.Run(config, new RunOptions { OutRoot = Path.Combine(w.Dir, "runs") });
        Assert.Equal("skipped", again.Stages.First(s => s.Stage == "darts").Action);
    }

    [Fact]
    public void AnEarlierRunsStageOutputCanBeImported()
    {
        using var w = new Workspace();
        var old = Path.Combine(w.Dir, "old-grid");
        Directory.CreateDirectory(old);
        File.WriteAllText(Path.Combine(old, "best.json"), """{"alpha": 1.2, "beta": 1.1, "gamma": 1.15}""");
        File.WriteAllText(Path.Combine(old, "base.yaml"), Research.Training.Tests.TinyNet.Yaml);
        var config = ExperimentFile.Load(w.Write("exp.yaml", """
            name: imported
            stages:
              grid: {from_run: old-grid}
              scale: {phi: [0, 2]}
            """));
        var outcome = ExperimentRunner.Run(config, new RunOptions { OutRoot = Path.Combine(w.Dir, "runs") });
        Assert.Equal(["imported", "ran"], outcome.Stages.Select(s => s.Action));
        var rows = CsvTable.Read(Path.Combine(outcome.RunDir, "scale", "scale.csv"));
        Assert.Equal(["tiny-phi0", "tiny-phi2"], rows.Select(r => r["name"]));
        Assert.Equal(Math.Pow(1.2 * 1.1 * 1.1 * 1.15 * 1.15, 2), double.Parse(rows[1]["predicted_ratio"], System.Globalization.CultureInfo.InvariantCulture), 9);
        Assert.Equal("from_run old-grid", Manifest(outcome.RunDir)["stages"]!["grid"]!["note"]!.GetValue<string>());
        // Changing the imported file changes the run's hash.
        File.WriteAllText(Path.Combine(old, "best.json"), """{"alpha": 1.1, "beta": 1.1, "gamma": 1.2}""");
        Assert.NotEqual(config.Hash, ExperimentFile.Load(Path.Combine(w.Dir, "exp.yaml")).Hash);
    }
}
