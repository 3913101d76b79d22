using Research.Models.Specs;
using Research.Models.Cost;
using Research.Models.Scaling;
using Research.Models.Zoo;
using Research.Search.Ablation;

namespace Research.Search.Tests;

public class GridTests
{
    [Fact]
    public void EveryCandidateMeetsTheConstraintAndTheGridIsComplete()
    {
        var c = CoefficientGrid.Candidates(0.05, 0.05);
        Assert.NotEmpty(c);
        Assert.All(c, x => Assert.InRange(x.Constraint, 1.95 - 1e-9, 2.05 + 1e-9));
        Assert.All(c, x => Assert.True(x.Alpha >= 1 && x.Beta >= 1 && x.Gamma >= 1));
        Assert.Contains(new Coefficients(2.0, 1.0, 1.0), c);
        Assert.Contains(new Coefficients(1.0, 1.4, 1.0), c); // 1.96
        // Brute force over a finer description of the same grid finds nothing more.
        int brute = 0;
        for (int i = 0; i <= 40; i++)
            for (int j = 0; j <= 20; j++)
                for (int k = 0; k <= 20; k++)
                    if (Math.Abs((1 + 0.05 * i) * Math.Pow(1 + 0.05 * j, 2) * Math.Pow(1 + 0.05 * k, 2) - 2) <= 0.05 + 1e-12) brute++;
        Assert.Equal(brute, c.Count);
        // EfficientNet's (1.2, 1.1, 1.15) has α·β²·γ² = 1.92: inside a 0.1 tolerance, outside 0.05.
        Assert.Contains(new Coefficients(1.2, 1.1, 1.15), CoefficientGrid.Candidates(0.05, 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => CoefficientGrid.Candidates(0, 0.05));
    }

    [Fact]
    public void SpreadPicksEvenlyAndDeterministically()
    {
        var grid = CoefficientGrid.Candidates(0.05, 0.05);
        var three = GridSearch.Spread(grid, 3);
        Assert.Equal(3, three.Count);
        Assert.Equal(grid[0], three[0]);
        Assert.Equal(grid[^1], three[^1]);
        Assert.Equal(three, GridSearch.Spread(grid, 3));
        Assert.Same(grid, GridSearch.Spread(grid, null));
    }

    [Fact]
    public void WelchTestMatchesAHandComputation()
    {
        // a − b = 5; each sample variance 1, n = 3: se = √(1/3 + 1/3) = 0.8165, t = 6.1237, df = 4.
        var cmp = Significance.Welch([90, 91, 92], [85, 86, 87]);
        Assert.Equal(5, cmp.MeanDifference, 10);
        Assert.Equal(6.1237, cmp.TStatistic, 3);
        Assert.Equal(4, cmp.DegreesOfFreedom, 6);
        Assert.InRange(cmp.PValue, 0.0015, 0.0021); // one-sided p of t(4) = 6.12 is 0.0018
        Assert.True(cmp.Significant);
        var noisy = Significance.Welch([90, 80, 95], [85, 88, 84]);
        Assert.False(noisy.Significant);
        var one = Significance.Welch([90], [85, 86]);
        Assert.False(one.Significant);
        Assert.Contains("undetermined", one.Verdict);
    }

    [Fact]
    public void ResponseSurfaceRecoversAQuadraticAndItsConstrainedOptimum()
    {
        static double F(Coefficients c) => 90 - 10 * Math.Pow(c.Alpha - 1.3, 2) - 30 * Math.Pow(c.Beta - 1.1, 2) - 30 * Math.Pow(c.Gamma - 1.12, 2);
        var pts = CoefficientGrid.Candidates(0.05, 0.1).Select(c => (c, F(c))).ToList();
        var s = ResponseSurface.Fit(pts);
        foreach (var (c, y) in pts) Assert.Equal(y, s.Predict(c), 6);
        var opt = s.ConstrainedOptimum();
        Assert.Equal(2.0, opt.Constraint, 6);
        Assert.True(F(opt) >= pts.Where(p => Math.Abs(p.c.Constraint - 2) < 0.02).Max(p => p.Item2) - 1e-6);
        Assert.Throws<ArgumentException>(() => ResponseSurface.Fit(pts.Take(5).ToList()));
    }

    [Theory]
    [InlineData("width", 2.0)]
    [InlineData("depth", 2.0)]
    [InlineData("resolution", 2.0)]
    [InlineData("compound", 4.0)]
    public void AblationMembersLandNearTheTargetMacs(string mode, double target)
    {
        var b = ModelRegistry.Default.Create("mobilenet_v2", new ModelOptions { Classes = 10, InChannels = 1, Resolution = 32, SmallInput = true, WidthMultiplier = 0.5 });
        var m = ScalingAblation.Solve(b, mode, target, new Coefficients(1.2, 1.1, 1.15), resolutionDivisor: 4);
        double ratio = (double)CostModel.Estimate(CompoundScaler.Scale(b, m)).Macs / CostModel.Estimate(b).Macs;
        Assert.InRange(ratio, target * 0.95, target * 1.05);
        if (mode == "width") Assert.Equal((1.0, 32), (m.DepthMultiplier, m.Resolution));
        if (mode == "depth") Assert.Equal((1.0, 32), (m.WidthMultiplier, m.Resolution));
        if (mode == "resolution") Assert.Equal((1.0, 1.0), (m.WidthMultiplier, m.DepthMultiplier));
        // Untrimmed, compound's multipliers are α^φ, β^φ and γ^φ (rounded) of one φ.
        if (mode == "compound") Assert.Equal((Math.Pow(1.2, m.Phi), Math.Pow(1.1, m.Phi)), (m.DepthMultiplier, m.WidthMultiplier));
    }

    [Fact]
    public void ThePlanRefusesAnArmOutsideTheToleranceNamingItAndWhatItReached()
    {
        var b = ModelRegistry.Default.Create("mobilenet_v2", new ModelOptions { Classes = 10, InChannels = 1, Resolution = 32, SmallInput = true, WidthMultiplier = 0.5 });
        // Divisor 8: resolution 48 is the closest to 2x (2.25x), past 5%.
        var e = Assert.Throws<ArmsOffTargetException>(() => ScalingAblation.Plan(b, new AblationConfig { Targets = [2], ResolutionDivisor = 8 }));
        Assert.StartsWith("macs_tolerance: ", e.Message);
        Assert.StartsWith("1 arm(s) of mobilenet_v2 land further than 5", e.Detail);
        Assert.Contains("resolution-x2 reaches 2.248x", e.Message);
        Assert.Contains("resolution_divisor (now 8)", e.Message);
        // Divisor 4 meets it: every arm within 5%, labelled and named, compound by compound_name.
        var arms = ScalingAblation.Plan(b, new AblationConfig { Targets = [2, 4], ResolutionDivisor = 4, CompoundName = "compound-grid" });
        Assert.Equal(["width-x2", "depth-x2", "resolution-x2", "compound-grid-x2", "width-x4", "depth-x4", "resolution-x4", "compound-grid-x4"], arms.Select(a => a.Label));
        Assert.All(arms, a => Assert.InRange(a.MacsRatio / a.Target, 0.95, 1.05));
        Assert.All(arms, a => Assert.Equal($"mobilenet_v2-{a.Label}", a.Spec.Name));
        Assert.All(arms, a => Assert.Equal(CostModel.Estimate(a.Spec).Macs, a.Macs));
        // At 2x no phi lands within 5% (ceil adds a block to every stage at once), so one dimension is solved again and the plan says which.
        Assert.StartsWith("phi, ", arms.Single(a => a.Label == "compound-grid-x2").MatchedBy);
        Assert.Equal("phi", arms.Single(a => a.Label == "compound-grid-x4").MatchedBy);
        Assert.Equal("width", arms.Single(a => a.Label == "width-x4").MatchedBy);
        // A wider tolerance accepts the step that divisor 8 makes.
        Assert.Equal(2.248, ScalingAblation.Plan(b, new AblationConfig { Targets = [2], ResolutionDivisor = 8, MacsTolerance = 0.2 }).Single(a => a.Mode == "resolution").MacsRatio, 3);
    }

    [Fact]
    public void WritePlanWritesEveryArmAsASpecThatLoadsBackAndTheTable()
    {
        var b = ModelRegistry.Default.Create("mobilenet_v2", new ModelOptions { Classes = 10, InChannels = 1, Resolution = 32, SmallInput = true, WidthMultiplier = 0.5 });
        string dir = Path.Combine(Path.GetTempPath(), "plan-" + Guid.NewGuid().ToString("N"));
        try
        {
            var lines = ScalingAblation.WritePlan(b, new AblationConfig { Targets = [2], ResolutionDivisor = 4 }, dir);
            Assert.Equal(5, lines.Count);
            var rows = Research.Core.Csv.CsvTable.Read(Path.Combine(dir, ScalingAblation.PlanFileName));
            Assert.Equal(4, rows.Count);
            foreach (var row in rows)
            {
                var spec = SpecYaml.Load(Path.Combine(dir, ScalingAblation.ArmsFolder, row["arm"] + ".yaml"));
                Assert.Equal(long.Parse(row["macs"], System.Globalization.CultureInfo.InvariantCulture), CostModel.Estimate(spec).Macs);
                Assert.Equal(int.Parse(row["resolution"], System.Globalization.CultureInfo.InvariantCulture), spec.Resolution);
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
