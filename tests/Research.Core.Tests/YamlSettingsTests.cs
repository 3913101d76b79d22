using Research.Core.Settings;
using Research.Core.Yaml;

namespace Research.Core.Tests;

public class YamlSettingsTests
{
    private sealed record Recipe
    {
        public int Epochs { get; init; } = 10;
        public double Lr { get; init; } = 0.1;
        public string Optimizer { get; init; } = "sgd";
        public double[]? Phi { get; init; }

        public static SettingSet<Recipe> Settings { get; } = new SettingSet<Recipe>(new Recipe(), "recipe")
            .Integer("epochs", "epochs", r => r.Epochs, (r, v) => r with { Epochs = v }, min: 1)
            .Number("lr", "lr", r => r.Lr, (r, v) => r with { Lr = v }, new SettingRange(0, MinExclusive: true))
            .Choice("optimizer", "optimizer", ["sgd", "adamw"], r => r.Optimizer, (r, v) => r with { Optimizer = v })
            .OptionalNumberList("phi", "phi", "all", r => r.Phi, (r, v) => r with { Phi = v }, new SettingRange(0), integerRanges: true)
            .Rule(r => r.Lr < r.Epochs ? null : new SettingProblem("lr", "x", "below epochs"));
    }

    private static (Recipe Record, IReadOnlyList<string> Errors) Read(string yaml)
    {
        var checker = new YamlChecker("f.yaml");
        var root = checker.LoadRoot(yaml, "keys");
        var map = checker.Map(root!, "s", [.. Recipe.Settings.Keys])!;
        return (YamlSettings.Read(checker, map, Recipe.Settings), checker.Errors);
    }

    [Fact]
    public void KeysBindToTheRecordAndTheRestKeepTheirDefaults()
    {
        var (r, errors) = Read("epochs: 3\nphi: 0-2\n");
        Assert.Empty(errors);
        Assert.Equal(3, r.Epochs);
        Assert.Equal(0.1, r.Lr);
        Assert.Equal([0.0, 1, 2], r.Phi!);
    }

    [Fact]
    public void EveryProblemIsCollectedWithFileLineAndKey()
    {
        var (_, errors) = Read("epochs: 0\nlr: fast\noptimizer: lbfgs\nphi: [1, x]\n");
        Assert.Equal([
            "f.yaml:1: s.epochs: 0 is out of range: must be an integer >= 1",
            "f.yaml:2: s.lr: must be a number > 0, got 'fast'",
            "f.yaml:3: s.optimizer: must be one of the allowed values, got 'lbfgs' (allowed: sgd, adamw)",
            "f.yaml:4: s.phi[1]: must be a number, got 'x'",
        ], errors);
    }

    [Fact]
    public void ARuleAcrossSettingsIsReportedAtItsKey()
    {
        var (_, errors) = Read("epochs: 1\nlr: 5\n");
        Assert.Equal("f.yaml:2: s.lr: x is out of range: must be below epochs", Assert.Single(errors));
    }
}
