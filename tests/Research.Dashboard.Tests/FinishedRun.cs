using Research.Experiments.Config;
using Research.Experiments.Pipeline;

// Training runs share torch's global generator (manual_seed), and the browser tests share a browser.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Research.Dashboard.Tests;

/// <summary>
/// A real, small, finished experiment run (DARTS on a tiny space, a 3-candidate grid, the family
/// φ = 0, 1 and a baseline, on the synthetic set) under <see cref="Root"/>/runs, made once for the tests
/// that read it; plus the experiment file, for tests that run it again elsewhere.
/// </summary>
public sealed class FinishedRun : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("dash-test-").FullName;
    public string Runs => Path.Combine(Root, "runs");
    public string RunDir { get; }
    public string ExperimentFile => Path.Combine(Root, "exp.yaml");

    public const string Space = """
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

    public const string Experiment = """
        name: dash
        device: cpu
        dataset: {name: synthetic, subset: 120, validation: 0.2}
        stages:
          darts: {space: space.yaml, epochs: 2, batch: 16, partial_channels: 2, arch_lr: 0.003}
          grid: {base: {from: darts}, max_candidates: 3, epochs: 1, batch: 24, lr: 0.05}
          scale: {phi: [0, 1]}
          train:
            holdout: true
            epochs: 2
            batch: 24
            lr: 0.05
            baselines:
              - {model: tiny.yaml}
          report: {title: "dashboard test run"}
        """;

    static FinishedRun() => Research.Torch.torch.set_num_threads(1);

    public FinishedRun()
    {
        File.WriteAllText(Path.Combine(Root, "space.yaml"), Space);
        File.WriteAllText(Path.Combine(Root, "tiny.yaml"), Research.Training.Tests.TinyNet.Yaml);
        File.WriteAllText(ExperimentFile, Experiment);
        RunDir = ExperimentRunner.Run(Research.Experiments.Config.ExperimentFile.Load(ExperimentFile), new RunOptions { OutRoot = Runs }).RunDir;
    }

    /// <summary>A copy of the run (to damage, or to write into) under <paramref name="root"/>.</summary>
    public string CopyTo(string root, string name)
    {
        string target = Path.Combine(root, name);
        foreach (var file in Directory.EnumerateFiles(RunDir, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(target, Path.GetRelativePath(RunDir, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
        return target;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition("finished run")]
public sealed class FinishedRunCollection : ICollectionFixture<FinishedRun>;
