// Training runs share torch's global generator (manual_seed), so tests that train must not run side by side.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Research.Experiments.Tests;

/// <summary>A temporary folder holding an experiment file and the tiny spec it names.</summary>
internal sealed class Workspace : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("exp-test-").FullName;

    public Workspace() => File.WriteAllText(Path.Combine(Dir, "tiny.yaml"), Research.Training.Tests.TinyNet.Yaml);

    public string Write(string name, string text)
    {
        var path = Path.Combine(Dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    public string Path_(string name) => Path.Combine(Dir, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The whole pipeline on the synthetic set, small enough for a few seconds on 2 cores.</summary>
    public const string Pipeline = """
        name: tiny-pipeline
        seed: 0
        device: cpu
        dataset: {name: synthetic, subset: 240, validation: 0.25}
        stages:
          grid:
            base: tiny.yaml
            max_candidates: 2
            epochs: 1
            batch: 60
            lr: 0.05
          scale:
            phi: [0, 1]
          train:
            holdout: true
            epochs: 1
            batch: 60
            lr: 0.05
            baselines:
              - {model: mobilenet_v3_small, width_mult: 0.25, small_input: true}
          report:
            title: tiny pipeline
        """;
}
