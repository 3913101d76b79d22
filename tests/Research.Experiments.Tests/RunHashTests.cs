namespace Research.Experiments.Tests;

public class RunHashTests
{
    private const string Config = """
        name: hashed
        seed: 1
        dataset: {name: synthetic, subset: 100}
        stages:
          grid: {base: tiny.yaml, max_candidates: 2}
          scale: {phi: [0, 1]}
        """;

    private static ExperimentConfig Load(Workspace w, string yaml, string file = "exp.yaml") => ExperimentFile.Load(w.Write(file, yaml));

    [Fact]
    public void TheHashIsStableAndIgnoresLayoutCommentsAndExplicitDefaults()
    {
        using var w = new Workspace();
        var a = Load(w, Config);
        Assert.Matches("^[0-9a-f]{8}$", a.Hash);
        Assert.Equal(a.Hash, Load(w, Config).Hash);
        Assert.Equal($"hashed-{a.Hash}", a.RunName);
        // Same settings, other key order, a comment, flow vs block style, and a default written out.
        var same = """
            # the same experiment
            stages:
              scale:
                phi: [0, 1]
              grid:
                max_candidates: 2
                base: tiny.yaml
                step: 0.05
            dataset:
              subset: 100
              name: synthetic
            seed: 1
            name: hashed
            """;
        Assert.Equal(a.Hash, Load(w, same, "other.yaml").Hash);
    }

    [Fact]
    public void TheHashChangesWhenASettingOrAnInputFileChanges()
    {
        using var w = new Workspace();
        var a = Load(w, Config);
        Assert.NotEqual(a.Hash, Load(w, Config.Replace("seed: 1", "seed: 2")).Hash);
        Assert.NotEqual(a.Hash, Load(w, Config.Replace("max_candidates: 2", "max_candidates: 3")).Hash);
        Assert.NotEqual(a.Hash, Load(w, Config.Replace("phi: [0, 1]", "phi: [0, 1, 2]")).Hash);
        // The spec file's contents are part of the config.
        File.WriteAllText(Path.Combine(w.Dir, "tiny.yaml"), Research.Training.Tests.TinyNet.Yaml.Replace("dropout: 0.1", "dropout: 0.2"));
        Assert.NotEqual(a.Hash, Load(w, Config).Hash);
    }

    [Fact]
    public void KernelsLeftUnsaidKeepTheHashAndPinnedKernelsChangeIt()
    {
        using var w = new Workspace();
        var unsaid = Load(w, Config);
        // A file that predates the key keeps its run directory: the key is not in its canonical JSON at all.
        Assert.DoesNotContain("kernels", unsaid.CanonicalJson);
        Assert.Null(unsaid.Execution.Kernels);
        var off = Load(w, "kernels: off\n" + Config);
        var on = Load(w, "kernels: on\n" + Config);
        Assert.Equal("off", off.Execution.Kernels);
        Assert.Equal("off", System.Text.Json.Nodes.JsonNode.Parse(off.CanonicalJson)!["config"]!["execution"]!["kernels"]!.GetValue<string>());
        Assert.Equal(3, new[] { unsaid.Hash, off.Hash, on.Hash }.Distinct().Count());
    }

    [Fact]
    public void TheRunDirectoryIsNamedByNameAndHash()
    {
        using var w = new Workspace();
        var c = Load(w, Config);
        Assert.Equal(Path.Combine("runs", $"hashed-{c.Hash}"), ExperimentRunner.RunDirectory(c, "runs"));
        var (code, output, err) = CliRunner.Run("run", Path.Combine(w.Dir, "exp.yaml"), "--check", "--out", Path.Combine(w.Dir, "runs"));
        Assert.True(code == 0, err);
        Assert.Contains($"run_dir {Path.Combine(w.Dir, "runs", $"hashed-{c.Hash}")}", output);
        Assert.False(Directory.Exists(Path.Combine(w.Dir, "runs"))); // --check creates nothing
    }
}
