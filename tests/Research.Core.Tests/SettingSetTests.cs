using Research.Core.Settings;

namespace Research.Core.Tests;

public class SettingSetTests
{
    private sealed record Inner
    {
        public int Epochs { get; init; } = 10;
        public double Warmup { get; init; } = 1;

        public static SettingSet<Inner> Settings { get; } = new SettingSet<Inner>(new Inner(), "inner")
            .Integer("epochs", "epochs", r => r.Epochs, (r, v) => r with { Epochs = v }, min: 1)
            .Number("warmup", "warmup", r => r.Warmup, (r, v) => r with { Warmup = v }, new SettingRange(0))
            .Rule(r => r.Warmup <= r.Epochs || r.Epochs < 1 ? null : new SettingProblem("warmup", r.Warmup.ToString(System.Globalization.CultureInfo.InvariantCulture), $"in [0, {r.Epochs}]"));
    }

    private sealed record Outer
    {
        public string Mode { get; init; } = "a";
        public bool Flip { get; init; } = true;
        public double? Ema { get; init; }
        public int[] Seeds { get; init; } = [1];
        public Inner Train { get; init; } = new() { Epochs = 1 };

        public static SettingSet<Outer> Settings { get; } = new SettingSet<Outer>(new Outer(), "outer")
            .Choice("mode", "mode", ["a", "b"], r => r.Mode, (r, v) => r with { Mode = v })
            .Flag("flip", "flips", r => r.Flip, (r, v) => r with { Flip = v })
            .OptionalNumber("ema", "ema", "off", r => r.Ema, (r, v) => r with { Ema = v }, new SettingRange(0, 1, MinExclusive: true, MaxExclusive: true))
            .IntegerList("seeds", "seeds", r => r.Seeds, (r, v) => r with { Seeds = v }, min: 0, distinct: true)
            .Include(Inner.Settings, r => r.Train, (r, v) => r with { Train = v });
    }

    [Fact]
    public void DefaultsComeFromTheOwningRecordThroughIncludes()
    {
        Assert.Equal(["mode", "flip", "ema", "seeds", "epochs", "warmup"], Outer.Settings.Keys);
        Assert.Equal(1, Outer.Settings.Get("epochs").Default); // the outer record's default for its part, not the part's own 10
        Assert.Equal(10, Inner.Settings.Get("epochs").Default);
        Assert.Null(Outer.Settings.Get("ema").Default);
        Assert.Equal("off", Outer.Settings.Get("ema").DefaultText);
        Assert.Equal("--no-flip", Outer.Settings.Get("flip").CliOption);
        Assert.Equal("--seeds", Outer.Settings.Get("seeds").CliOption);
    }

    [Fact]
    public void ProblemsNameEverySettingAndWhatItMustBe()
    {
        var bad = new Outer { Mode = "c", Ema = 1.5, Seeds = [1, 1], Train = new Inner { Epochs = 0 } };
        var problems = Outer.Settings.Problems(bad);
        Assert.Equal(["mode", "ema", "seeds", "epochs"], problems.Select(p => p.Key));
        Assert.Equal("one of a, b", problems[0].Expected);
        Assert.Equal("1.5 is out of range: must be a number in (0, 1)", problems[1].OutOfRange);
        Assert.Equal("a list of integers >= 0, each once", problems[2].Expected);
        var e = Assert.Throws<ArgumentException>(() => Outer.Settings.Validate(bad));
        Assert.Contains("epochs 0: must be an integer >= 1", e.Message);
        Assert.DoesNotContain("--", e.Message);
        Assert.Contains("mode c: must be one of a, b", e.Message);
    }

    [Fact]
    public void RulesOfAnIncludedPartApplyThroughTheLens()
    {
        var problems = Outer.Settings.Problems(new Outer { Train = new Inner { Epochs = 2, Warmup = 3 } });
        var p = Assert.Single(problems);
        Assert.Equal(("warmup", "3", "in [0, 2]"), (p.Key, p.Value, p.Expected));
    }

    [Fact]
    public void SetWritesThroughTheLensAndLeavesTheRestAlone()
    {
        var r = Outer.Settings.Get("epochs").Set(new Outer(), 7);
        Assert.Equal(7, r.Train.Epochs);
        Assert.Equal(1.0, r.Train.Warmup);
        Assert.Equal("a", r.Mode);
    }

    [Fact]
    public void IncludeCanTakeSomeKeysAndRenameThem()
    {
        var set = new SettingSet<Outer>(new Outer(), "renamed")
            .Include(Inner.Settings, r => r.Train, (r, v) => r with { Train = v }, ["epochs"], new Dictionary<string, string> { ["epochs"] = "inner_epochs" });
        var s = Assert.Single(set);
        Assert.Equal(("inner_epochs", "--inner-epochs", 1), (s.Key, s.Option, s.Default));
        Assert.Throws<ArgumentException>(() => new SettingSet<Outer>(new Outer(), "x").Include(Inner.Settings, r => r.Train, (r, v) => r with { Train = v }, "nope"));
    }

    [Fact]
    public void ADuplicateKeyOrAMissingChoiceListIsAnErrorAtDeclaration()
    {
        Assert.Throws<ArgumentException>(() => new SettingSet<Inner>(new Inner(), "dup")
            .Integer("epochs", "a", r => r.Epochs, (r, v) => r with { Epochs = v })
            .Integer("epochs", "b", r => r.Epochs, (r, v) => r with { Epochs = v }));
        Assert.Throws<ArgumentNullException>(() => new SettingSet<Outer>(new Outer(), "null").Choice("mode", "m", null!, r => r.Mode, (r, v) => r with { Mode = v }));
    }

    [Theory]
    [InlineData("0-3", new double[] { 0, 1, 2, 3 })]
    [InlineData("0,1,2.5", new double[] { 0, 1, 2.5 })]
    [InlineData("5", new double[] { 5 })]
    public void TextListsAndRangesParseAsTheCliWritesThem(string text, double[] expected)
    {
        var set = new SettingSet<Outer>(new Outer(), "phi").OptionalNumberList("phi", "phi", "all", r => null, (r, v) => r, integerRanges: true);
        Assert.Equal(expected, (double[])SettingText.Parse(set[0], text)!);
        Assert.Throws<FormatException>(() => SettingText.Parse(set[0], "7-2"));
        Assert.Throws<FormatException>(() => SettingText.Parse(Outer.Settings.Get("seeds"), "1,x"));
    }
}
