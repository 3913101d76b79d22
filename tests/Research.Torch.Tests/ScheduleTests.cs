using Research.Torch.Optim;
using Research.Torch.Optim.Schedules;

namespace Research.Torch.Tests;

// Expected values are worked out by hand in the comments next to them.
public class ScheduleTests
{
    private const int Digits = 12;

    [Fact]
    public void ConstantIsConstant()
    {
        var s = new ConstantSchedule(0.5);
        Assert.Equal(0.5, s.LearningRate(0L));
        Assert.Equal(0.5, s.LearningRate(1_000_000L));
        Assert.Equal(0.5, s.LearningRate(2.75));
    }

    [Fact]
    public void CosineWithoutWarmup()
    {
        var s = new CosineSchedule(baseLr: 0.1, totalSteps: 100);
        Assert.Equal(0.1, s.LearningRate(0L), Digits);                  // cos 0 = 1: base
        Assert.Equal(0.085355339059327, s.LearningRate(25L), Digits);   // 0.05 (1 + cos π/4) = 0.05 · 1.7071067811865
        Assert.Equal(0.05, s.LearningRate(50L), Digits);                // T/2: cos π/2 = 0, halfway
        Assert.Equal(0.014644660940673, s.LearningRate(75L), Digits);   // 0.05 (1 − 0.7071067811865)
        Assert.Equal(0.0, s.LearningRate(100L), Digits);                // T: cos π = −1: min
        Assert.Equal(0.0, s.LearningRate(250L));                        // past the end: min
    }

    [Fact]
    public void CosineWithWarmupAndFloor()
    {
        // Warmup 0.01 → 0.1 over 10 steps, then cosine 0.1 → 0.001 over T = 110 − 10 = 100.
        var s = new CosineSchedule(baseLr: 0.1, totalSteps: 110, warmupSteps: 10, minLr: 0.001, warmupStartLr: 0.01);
        Assert.Equal(0.01, s.LearningRate(0L), Digits);      // warmup start
        Assert.Equal(0.0325, s.LearningRate(2.5), Digits);   // 0.01 + 0.09 · 2.5/10
        Assert.Equal(0.055, s.LearningRate(5L), Digits);     // warmup midpoint: 0.01 + 0.09 / 2
        Assert.Equal(0.1, s.LearningRate(10L), Digits);      // t = 0: base
        Assert.Equal(0.0505, s.LearningRate(60L), Digits);   // t = T/2: 0.001 + 0.099 / 2
        Assert.Equal(0.001, s.LearningRate(110L), Digits);   // t = T: min
        Assert.Equal(0.001, s.LearningRate(10_000L));        // constant min beyond the end
    }

    [Fact]
    public void CosineWarmupFromZero()
    {
        var s = new CosineSchedule(baseLr: 1.0, totalSteps: 10, warmupSteps: 5);
        Assert.Equal(0.0, s.LearningRate(0L));
        Assert.Equal(0.2, s.LearningRate(1L), Digits);       // 1 · 1/5
        Assert.Equal(0.5, s.LearningRate(2.5), Digits);      // warmup midpoint
        Assert.Equal(1.0, s.LearningRate(5L), Digits);
    }

    [Fact]
    public void CosineWhoseWarmupFillsItGoesToMin()
    {
        var s = new CosineSchedule(baseLr: 1.0, totalSteps: 4, warmupSteps: 4, minLr: 0.25);
        Assert.Equal(0.5, s.LearningRate(2L), Digits);
        Assert.Equal(0.25, s.LearningRate(4L));
    }

    [Fact]
    public void StepDecayLikeStepLR()
    {
        var s = new StepDecaySchedule(baseLr: 0.1, stepSize: 30, gamma: 0.1);
        Assert.Equal(0.1, s.LearningRate(0L), Digits);
        Assert.Equal(0.1, s.LearningRate(29L), Digits);      // floor(29/30) = 0
        Assert.Equal(0.01, s.LearningRate(30L), Digits);     // floor(30/30) = 1
        Assert.Equal(0.01, s.LearningRate(59L), Digits);
        Assert.Equal(0.001, s.LearningRate(60L), Digits);    // 0.1 · 0.1²
        Assert.Equal(1e-4, s.LearningRate(95L), Digits);     // floor(95/30) = 3
        Assert.Equal(0.01, s.LearningRate(30.5), Digits);    // fractional epochs
    }

    [Fact]
    public void EfficientNetDecayInEpochs()
    {
        // 0.97 every 2.4 epochs: 0.256 · 0.97^floor(epoch / 2.4).
        var s = new ExponentialDecaySchedule(baseLr: 0.256, gamma: 0.97, decaySteps: 2.4);
        Assert.Equal(0.256, s.LearningRate(0.0), Digits);             // 0.97⁰
        Assert.Equal(0.256, s.LearningRate(2.3), Digits);             // floor(0.958) = 0
        Assert.Equal(0.24832, s.LearningRate(2.4), Digits);           // 0.256 · 0.97
        Assert.Equal(0.2408704, s.LearningRate(4.8), Digits);         // 0.256 · 0.9409
        Assert.Equal(0.233644288, s.LearningRate(7.2), Digits);       // 0.256 · 0.912673
        Assert.Equal(0.22663495936, s.LearningRate(10.0), Digits);    // floor(4.17) = 4: 0.256 · 0.88529281
        Assert.Equal(0.22663495936, s.LearningRate(10L), Digits);     // whole epochs through the long overload
    }

    [Fact]
    public void EfficientNetDecayInIterations()
    {
        // 1251 iterations per epoch: decaySteps = 2.4 · 1251 = 3002.4, fractional.
        var s = new ExponentialDecaySchedule(baseLr: 0.256, gamma: 0.97, decaySteps: 2.4 * 1251);
        Assert.Equal(0.256, s.LearningRate(3002L), Digits);           // 3002 / 3002.4 < 1
        Assert.Equal(0.24832, s.LearningRate(3003L), Digits);         // > 1
        Assert.Equal(0.24832, s.LearningRate(6004L), Digits);         // 6004 / 3002.4 = 1.9997
        Assert.Equal(0.2408704, s.LearningRate(6005L), Digits);       // 2.00007
    }

    [Fact]
    public void ExponentialDecayWithoutStaircase()
    {
        var s = new ExponentialDecaySchedule(baseLr: 0.256, gamma: 0.97, decaySteps: 2.4, staircase: false);
        Assert.Equal(0.2521307597, s.LearningRate(1.2), 10);          // 0.256 · √0.97 = 0.256 · 0.98488578018
        Assert.Equal(0.24832, s.LearningRate(2.4), Digits);
        var perStep = new ExponentialDecaySchedule(baseLr: 1, gamma: 0.5);
        Assert.Equal(0.125, perStep.LearningRate(3L));                // decaySteps = 1: 0.5³
    }

    [Fact]
    public void DecayBoundariesSurviveBinaryRounding()
    {
        // 0.3 / 0.1 = 2.9999999999999996 in doubles; it is still three periods.
        var s = new ExponentialDecaySchedule(baseLr: 1, gamma: 0.5, decaySteps: 0.1);
        Assert.Equal(0.125, s.LearningRate(0.3));
        Assert.Equal(0.25, s.LearningRate(0.29));
    }

    [Fact]
    public void WarmupInFrontOfStepDecay()
    {
        // 5 warmup steps from 0 to inner(0) = 0.1, then StepLR shifted by 5.
        var s = new WarmupSchedule(new StepDecaySchedule(0.1, 30, 0.1), warmupSteps: 5);
        Assert.Equal(0.0, s.LearningRate(0L));
        Assert.Equal(0.04, s.LearningRate(2L), Digits);      // 0.1 · 2/5
        Assert.Equal(0.1, s.LearningRate(5L), Digits);       // inner step 0
        Assert.Equal(0.1, s.LearningRate(34L), Digits);      // inner step 29
        Assert.Equal(0.01, s.LearningRate(35L), Digits);     // inner step 30
    }

    [Fact]
    public void CosineWarmupMatchesWarmupWrapper()
    {
        var direct = new CosineSchedule(0.1, totalSteps: 110, warmupSteps: 10, minLr: 0.001, warmupStartLr: 0.01);
        var wrapped = new WarmupSchedule(new CosineSchedule(0.1, totalSteps: 100, minLr: 0.001), warmupSteps: 10, warmupStartLr: 0.01);
        for (long step = 0; step <= 120; step++)
            Assert.Equal(direct.LearningRate(step), wrapped.LearningRate(step), 15);
    }

    [Fact]
    public void InterfaceLongOverloadUsesTheSameFunction()
    {
        ILearningRateSchedule s = new StepDecaySchedule(1, 2, 0.5);
        Assert.Equal(s.LearningRate(4.0), s.LearningRate(4L));
        Assert.Equal(0.25, s.LearningRate(4L));
    }

    [Fact]
    public void RejectsBadArguments()
    {
        Rejects("lr", () => new ConstantSchedule(-1));
        Rejects("lr", () => new ConstantSchedule(double.NaN));
        Rejects("baseLr", () => new CosineSchedule(-0.1, 10));
        Rejects("totalSteps", () => new CosineSchedule(0.1, 0));
        Rejects("warmupSteps", () => new CosineSchedule(0.1, 10, warmupSteps: -1));
        Rejects("warmupSteps", () => new CosineSchedule(0.1, 10, warmupSteps: 11));
        Rejects("minLr", () => new CosineSchedule(0.1, 10, minLr: -0.001));
        Rejects("warmupStartLr", () => new CosineSchedule(0.1, 10, warmupStartLr: double.PositiveInfinity));
        Rejects("stepSize", () => new StepDecaySchedule(0.1, 0, 0.1));
        Rejects("gamma", () => new StepDecaySchedule(0.1, 30, 0));
        Rejects("gamma", () => new ExponentialDecaySchedule(0.1, -0.97));
        Rejects("decaySteps", () => new ExponentialDecaySchedule(0.1, 0.97, decaySteps: 0));
        Rejects("decaySteps", () => new ExponentialDecaySchedule(0.1, 0.97, decaySteps: double.NaN));
        Rejects("warmupSteps", () => new WarmupSchedule(new ConstantSchedule(1), -1));
        Assert.Equal("inner", Assert.Throws<ArgumentNullException>(() => new WarmupSchedule(null!, 5)).ParamName);
    }

    [Fact]
    public void RejectsBadSteps()
    {
        ILearningRateSchedule[] schedules =
        [
            new ConstantSchedule(1), new CosineSchedule(1, 10, 2), new StepDecaySchedule(1, 3, 0.5),
            new ExponentialDecaySchedule(1, 0.9), new WarmupSchedule(new ConstantSchedule(1), 3),
        ];
        foreach (var s in schedules)
        {
            Rejects("step", () => s.LearningRate(-1L));
            Rejects("step", () => s.LearningRate(-0.5));
            Rejects("step", () => s.LearningRate(double.NaN));
            Rejects("step", () => s.LearningRate(double.PositiveInfinity));
        }
    }

    private static void Rejects(string parameter, Func<object> make) =>
        Assert.Equal(parameter, Assert.Throws<ArgumentOutOfRangeException>(() => make()).ParamName);
}
