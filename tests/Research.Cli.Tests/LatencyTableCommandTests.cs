using System.Globalization;
using Research.Core.Csv;

namespace Research.Cli.Tests;

/// <summary>
/// `research bench latency-table` and `models show --latency-table`: a table measured on both engines predicts a network
/// that is then measured the same way; a table from another machine, a missing entry and a cell network on ONNX Runtime
/// are bad input that names what is wrong and writes nothing.
/// </summary>
[Collection("CLI training")]
public class LatencyTableCommandTests
{
    private static readonly string[] Small = ["--model", "mobilenet_v2", "--width-mult", "0.35", "--small-input", "--resolution", "32", "--classes", "10"];

    private static string[] Bench(string table, string engine, params string[] more) =>
        ["bench", "latency-table", .. Small, "--engine", engine, "--threads", "1", "--batch", "2", "--warmup", "1", "--repeats", "3", "--span-seconds", "0", "--out", table, .. more];

    private static double Figure(string output, string name) => double.Parse(CliRunner.Figures(output)[name], CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("libtorch")]
    [InlineData("onnxruntime")]
    public void ATableIsMeasuredAndPredictsWhatIsMeasuredOnTheSameEngine(string engine)
    {
        var dir = Directory.CreateTempSubdirectory("latency").FullName;
        var table = Path.Combine(dir, "t.csv");
        var (code, output, err) = CliRunner.Run(Bench(table, engine));
        Assert.True(code == 0, err);
        Assert.True(Figure(output, "entries") > 10);
        var lines = File.ReadAllLines(table);
        Assert.Contains($"# engine: {engine}", lines);
        Assert.Contains("# threads: 1", lines);
        Assert.Contains("# batch: 2", lines);
        (code, output, err) = CliRunner.Run(["models", "show", .. Small[1..], "--latency-table", table]);
        Assert.True(code == 0, err);
        double predicted = Figure(output, "predicted_latency_ms"), measured = Figure(output, "measured_latency_ms");
        Assert.True(predicted > 0 && measured > 0, output);
        // The figures are printed to 4 decimals, so the error recomputed from them differs from the printed one in the last places.
        // Each printed figure is off by up to 0.00005, which moves the error by about that much over measured (times 1 + p/m).
        Assert.Equal(Math.Abs(predicted - measured) / measured, Figure(output, "latency_error"), 1e-4 * (1 + predicted / measured) / measured + 1e-4);
        // Measuring the same network again adds nothing.
        (code, output, err) = CliRunner.Run(Bench(table, engine));
        Assert.True(code == 0, err);
        Assert.Equal(0, Figure(output, "new_entries"));
    }

    [Fact]
    public void ATableFromAnotherMachineOrWithoutAPartIsRefusedAndNothingIsWritten()
    {
        var dir = Directory.CreateTempSubdirectory("latency").FullName;
        var table = Path.Combine(dir, "t.csv");
        var (code, _, err) = CliRunner.Run(Bench(table, "libtorch"));
        Assert.True(code == 0, err);

        // A part the table lacks: the wider network's first wider block, named with its input shape.
        (code, _, err) = CliRunner.Run("models", "show", "mobilenet_v2", "--width-mult", "0.5", "--small-input", "--resolution", "32", "--classes", "10", "--latency-table", table);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(table)}: no entry for ir_r1_\S+ at \d+x\d+x\d+ \(structure [0-9a-f]{{8}}; libtorch, batch 2, 1 thread\(s\)\)", err);

        // The same table from another CPU: measuring here against it, or adding to it, is refused naming the key.
        var other = Path.Combine(dir, "other.csv");
        File.WriteAllLines(other, File.ReadAllLines(table).Select(l => l.StartsWith("# cpu:", StringComparison.Ordinal) ? "# cpu: Another CPU 9000" : l));
        var before = File.ReadAllText(other);
        (code, _, err) = CliRunner.Run(["models", "show", .. Small[1..], "--latency-table", other]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("cpu: table 'Another CPU 9000', here '", err);
        (code, _, err) = CliRunner.Run(Bench(other, "libtorch"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("cpu: table 'Another CPU 9000'", err);
        Assert.Equal(before, File.ReadAllText(other));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp*"));
    }

    [Fact]
    public void CalibrateWithModelsIsBadInputAndWritesNothing()
    {
        var dir = Directory.CreateTempSubdirectory("latency").FullName;
        var table = Path.Combine(dir, "t.csv");
        var (code, _, err) = CliRunner.Run(Bench(table, "libtorch", "--calibrate", "4"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--calibrate 4: only with --space", err);
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void AScaledFamilyIsMeasuredAndItsTableGainsThePredictedLatency()
    {
        var dir = Directory.CreateTempSubdirectory("latency").FullName;
        string[] family = ["--base", "mobilenet_v2", "--width-mult", "0.25", "--small-input", "--resolution", "32", "--classes", "10", "--alpha", "1.2", "--beta", "1.1",
            "--gamma", "1.15", "--phi", "0,1"];
        var members = Path.Combine(dir, "members");
        var (code, _, err) = CliRunner.Run(["scale", .. family, "--out", members]);
        Assert.True(code == 0, err);
        var specs = Directory.GetFiles(members, "*.yaml").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(2, specs.Length);
        var table = Path.Combine(dir, "family.csv");
        (code, var measuredOut, err) = CliRunner.Run(["bench", "latency-table", "--model", .. specs, "--threads", "1", "--warmup", "0", "--repeats", "1", "--span-seconds", "0", "--out", table]);
        Assert.True(code == 0, err);

        // One network row per model, after the parts, each measured whole beside the sum of its parts; k is the median of their ratios.
        var fileRows = CsvTable.Parse(string.Join('\n', File.ReadLines(table).Where(l => !l.StartsWith('#'))));
        var networkRows = fileRows.Where(r => r["kind"] == "network").ToList();
        Assert.Equal(2, networkRows.Count);
        Assert.Equal(fileRows.Count - 2, fileRows.FindIndex(r => r["kind"] == "network"));
        Assert.All(fileRows.Take(fileRows.Count - 2), r => Assert.Equal("part", r["kind"]));
        var loaded = Models.LatencyTables.LatencyTable.Load(table);
        Assert.Equal(specs.Select(s => Models.Networks.ModelSource.Resolve(s).Name).Order(StringComparer.Ordinal), networkRows.Select(r => r["op"]));
        double Cell(Dictionary<string, string> r, string c) => double.Parse(r[c], CultureInfo.InvariantCulture);
        Assert.All(networkRows, r => Assert.True(Cell(r, "ms") > 0 && Cell(r, "parts_ms") > 0));
        Assert.Equal(networkRows.Average(r => Cell(r, "ms") / Cell(r, "parts_ms")), loaded.Calibration, 12);
        Assert.Contains(File.ReadLines(table), l => l.StartsWith("# calibration: ", StringComparison.Ordinal) && l.Contains("median over 2 measured network(s)"));
        Assert.Equal(2, Figure(measuredOut, "measured_networks"));
        // `models show --format json` reports the calibrated prediction, the plain sum of parts and k.
        (code, var json, err) = CliRunner.Run("models", "show", specs[0], "--latency-table", table, "--format", "json");
        Assert.True(code == 0, err);
        using (var doc = System.Text.Json.JsonDocument.Parse(json))
        {
            var root = doc.RootElement;
            double parts = root.GetProperty("parts_latency_ms").GetDouble(), k = root.GetProperty("calibration").GetDouble();
            Assert.Equal(loaded.Calibration, k, 12);
            Assert.Equal(parts * k, root.GetProperty("predicted_latency_ms").GetDouble(), 9);
            Assert.Equal(Cell(networkRows.Single(r => r["structure"] == Models.LatencyTables.NetworkLatency.HashOf(Models.Networks.ModelSource.Resolve(specs[0]))), "parts_ms"), parts, 9);
        }

        // Each member's prediction is what `models show` predicts for its spec.
        (code, var output, err) = CliRunner.Run(["scale", .. family, "--latency-table", table, "--format", "csv"]);
        Assert.True(code == 0, err);
        var rows = CsvTable.Parse(output);
        Assert.Equal(2, rows.Count);
        foreach (var (row, spec) in rows.Zip(specs))
        {
            (code, var shown, err) = CliRunner.Run("models", "show", spec, "--latency-table", table);
            Assert.True(code == 0, err);
            Assert.Equal(Figure(shown, "predicted_latency_ms"), double.Parse(row["predicted_latency_ms"], CultureInfo.InvariantCulture), 4);
        }
        (code, output, err) = CliRunner.Run(["scale", .. family, "--latency-table", table]);
        Assert.True(code == 0, err);
        Assert.Contains("predicted_ms", output);

        // A table without the larger member's parts: exit 2 naming the part, and no member written.
        var partial = Path.Combine(dir, "partial.csv");
        (code, _, err) = CliRunner.Run(["bench", "latency-table", "--model", specs[0], "--threads", "1", "--warmup", "0", "--repeats", "1", "--span-seconds", "0", "--out", partial]);
        Assert.True(code == 0, err);
        var outDir = Path.Combine(dir, "refused");
        (code, _, err) = CliRunner.Run(["scale", .. family, "--latency-table", partial, "--out", outDir]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"{partial}: no entry for ", err);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void ASearchSpaceIsMeasuredOnLibtorchAndRefusedOnOnnxRuntime()
    {
        var dir = Directory.CreateTempSubdirectory("latency").FullName;
        var space = Path.Combine(Search.Tests.TestPaths.Repo, "search-spaces", "quick.yaml");
        var table = Path.Combine(dir, "space.csv");
        var (code, output, err) = CliRunner.Run("bench", "latency-table", "--space", space, "--dataset", "fashion-mnist", "--threads", "1", "--warmup", "0",
            "--repeats", "1", "--span-seconds", "0", "--out", table);
        Assert.True(code == 0, err);
        var rows = CsvTable.Parse(string.Join('\n', File.ReadLines(table).Where(l => !l.StartsWith('#'))));
        Assert.Contains(rows, r => r["op"].StartsWith("cell_glue_n3_k3", StringComparison.Ordinal));
        Assert.Contains(rows, r => r["op"] == "max_pool_k3_s2_c16");
        // Six ops besides none, in the supernet's and the network's layouts, and 8 drawn genotypes in the network's.
        Assert.Contains("networks 20", output);
        // The drawn genotypes and the network layout's six one-op probes are measured whole, so the table's calibration fits the
        // space's networks, per cell op.
        Assert.Contains("measured_networks 14", output);
        var networks = rows.Where(r => r["kind"] == "network").ToList();
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"calibrate-quick-{i}"), networks.Select(r => r["op"]).Where(n => n.StartsWith("calibrate-", StringComparison.Ordinal)));
        Assert.Equal(["ghost_k3_e2", "max_pool_3x3", "mbconv_k3_e3", "sandglass_k3_t2", "shuffle_v2", "skip_connect"],
            networks.Select(r => r["op"]).Where(n => n.StartsWith("probe-", StringComparison.Ordinal)).Select(n => n["probe-quick-".Length..]).Order(StringComparer.Ordinal));
        // Each network row has its cell ops' shares; a probe's is one op's.
        Assert.Equal("max_pool_k3", networks.Single(r => r["op"] == "probe-quick-max_pool_3x3")["op_parts"].Split('=')[0]);
        // Drawn in the layout the searches predict for: the space's network (its stem's width), not its supernet.
        var sp = Research.Search.Darts.SearchSpace.Load(space);
        var network = sp.Network with { InChannels = 1, Classes = 10, Resolution = 28 }; // Fashion-MNIST's shape
        var first = network.ToSpec(Research.Search.Baseline.RandomSearch.Sample(sp, 1, Commands.BenchLatencyTableCommand.CalibrationSeed)[0], "calibrate-quick-0");
        Assert.Equal(Models.LatencyTables.NetworkLatency.HashOf(first), networks[0]["structure"]);
        var loaded = Models.LatencyTables.LatencyTable.Load(table);
        var ratios = loaded.Networks.Select(n => n.MeasuredMs / n.PartsMs).Order().ToList();
        Assert.Equal((ratios[6] + ratios[7]) / 2, loaded.Factors.Median, 9);
        // Fitted per cell op (each op's factor printed), unless a factor the fit could not tell apart is said.
        Assert.True(loaded.Factors.PerOp || output.Contains("calibration_per_op none: "), output);
        if (loaded.Factors.PerOp) Assert.Contains("calibration_op max_pool_k3 ", output);

        (code, output, err) = CliRunner.Run("bench", "latency-table", "--space", space, "--dataset", "fashion-mnist", "--threads", "1", "--warmup", "0",
            "--repeats", "1", "--span-seconds", "0", "--calibrate", "0", "--out", Path.Combine(dir, "plain.csv"));
        Assert.True(code == 0, err);
        Assert.Contains("networks 12", output);
        Assert.Contains("calibration 1.0000", output);

        var ort = Path.Combine(dir, "ort.csv");
        (code, _, err) = CliRunner.Run("bench", "latency-table", "--space", space, "--engine", "onnxruntime", "--threads", "1", "--out", ort);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("cannot be exported alone yet", err);
        Assert.False(File.Exists(ort));
    }

    [Fact]
    public void HeldOutNetworksArePredictedFromTheTableTheyDoNotEnterAndBadOnesAreRefused()
    {
        var dir = Directory.CreateTempSubdirectory("latency").FullName;
        var spec = Research.Models.Networks.ModelSource.Resolve("mobilenet_v2", classes: 10, widthMultiplier: 0.35, resolution: 32, smallInput: true);
        // Two probes and a mix of them (kernel 5 at the first block of stage 2, where the second probe has it): made of the probes' parts.
        Research.Models.Specs.NetworkSpec Kernel5(string name, params int[] stages) => spec with
        {
            Name = name,
            Stages = Research.Models.Specs.EquatableList.ToEquatableList(spec.Stages.Select((stage, s) =>
                Research.Models.Specs.EquatableList.ToEquatableList(stage.Select((b, i) => i == 0 && stages.Contains(s) ? b with { Kernel = 5 } : b)))),
        };
        string probe = Path.Combine(dir, "probe.yaml"), probe5 = Path.Combine(dir, "probe5.yaml"), held = Path.Combine(dir, "held.yaml"), wider = Path.Combine(dir, "wider.yaml");
        Research.Models.Specs.SpecYaml.Save(spec, probe);
        Research.Models.Specs.SpecYaml.Save(Kernel5("probe5", 2, 4), probe5);
        Research.Models.Specs.SpecYaml.Save(Kernel5("held", 2), held);
        Research.Models.Specs.SpecYaml.Save(Research.Models.Networks.ModelSource.Resolve("mobilenet_v2", classes: 10, widthMultiplier: 0.5, resolution: 32, smallInput: true) with { Name = "wider" }, wider);
        string[] Table(string table, params string[] more) =>
            ["bench", "latency-table", "--model", probe, probe5, "--threads", "1", "--warmup", "0", "--repeats", "1", "--span-seconds", "0", "--out", table, .. more];

        string table = Path.Combine(dir, "t.csv"), csv = Path.Combine(dir, "held.csv");
        var (code, output, err) = CliRunner.Run(Table(table, "--held-out", held, "--held-out-csv", csv));
        Assert.True(code == 0, err);
        Assert.Contains(" 2 whole network(s) and 1 held-out network(s) in 5 interleaved round(s)", output);
        Assert.Matches(@"(?m)^held_out held predicted_ms [\d.]+ measured_ms [\d.]+ parts_ms [\d.]+ error [\d.]+ error_k_only [\d.]+$", output);
        Assert.Equal(1, Figure(output, "held_out_networks"));
        // Not in the table: two network rows (the probes), which alone calibrate it.
        var loaded = Research.Models.LatencyTables.LatencyTable.Load(table);
        Assert.Equal([spec.Name, "probe5"], loaded.Networks.Select(n => n.Name).Order());
        var row = Assert.Single(CsvTable.Parse(File.ReadAllText(csv)));
        Assert.Equal("held", row["network"]);
        double measured = double.Parse(row["measured_ms"], CultureInfo.InvariantCulture), partsMs = double.Parse(row["parts_ms"], CultureInfo.InvariantCulture);
        // Both columns are written to 4 decimals: the product is off by up to 0.00005 for each, k times for parts_ms.
        Assert.Equal(loaded.Calibration * partsMs, double.Parse(row["predicted_ms"], CultureInfo.InvariantCulture), 1e-4 * (loaded.Calibration + 1));
        Assert.Equal(Figure(output, "held_out_median_error"), double.Parse(row["error"], CultureInfo.InvariantCulture), 9);
        Assert.True(measured > 0);

        // Bad input, each exit 2 with nothing written: a part the run does not measure, a calibration network, --held-out-csv alone,
        // --held-out-csv naming the table or a folder, and the existing table's own network row.
        string fresh = Path.Combine(dir, "fresh.csv"), freshCsv = Path.Combine(dir, "fresh-held.csv");
        foreach (var (args, message) in new (string[], string)[]
        {
            (Table(fresh, "--held-out", wider, "--held-out-csv", freshCsv), "held-out network wider: its part "),
            (Table(fresh, "--held-out", probe5), "held-out network probe5 is also measured whole to calibrate the table"),
            (Table(fresh, "--held-out-csv", freshCsv), "--held-out-csv: name the held-out networks with --held-out"),
            (Table(fresh, "--held-out", held, "--held-out-csv", fresh), $"--held-out-csv {fresh}: the same file as --out"),
            (Table(fresh, "--held-out", held, "--held-out-csv", dir), $"--held-out-csv {dir}: a folder"),
        })
        {
            (code, _, err) = CliRunner.Run(args);
            Assert.Equal(ExitCodes.BadInput, code);
            Assert.Contains(message, err);
        }
        Assert.False(File.Exists(fresh) || File.Exists(freshCsv));
        var before = File.ReadAllText(table);
        (code, _, err) = CliRunner.Run(["bench", "latency-table", "--model", held, "--threads", "1", "--warmup", "0", "--repeats", "1", "--span-seconds", "0", "--out", table, "--held-out", probe]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"is measured whole in {table} and calibrates it, so it is not held out", err);
        Assert.Equal(before, File.ReadAllText(table));
    }
}
