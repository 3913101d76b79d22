using Research.Torch.Optim;
using Research.Torch.Optim.Schedules;

namespace Research.Torch.Tests;

public sealed class LRSchedulerTests
{
    // CosineSchedule(base 0.2, total 10, warmup 2): linear 0 → 0.2 over steps 0..2, then
    // 0.2·(1 + cos(π(t − 2)/8))/2.
    private static double Expected(long step) =>
        step < 2 ? 0.2 * step / 2 : step >= 10 ? 0 : 0.2 * (1 + Math.Cos(Math.PI * (step - 2) / 8)) / 2;

    [Fact]
    public void DrivesEveryGroupKeepingItsRatio()
    {
        using var a = new Parameter(torch.tensor(new[] { 1.0 }));
        using var b = new Parameter(torch.tensor(new[] { 1.0 }));
        using var opt = new SGD([new ParamGroup([a]), new ParamGroup([b], lr: 0.05)], lr: 0.2);
        var sched = new LRScheduler(opt, new CosineSchedule(0.2, 10, warmupSteps: 2));

        for (long step = 0; step <= 12; step++)
        {
            Assert.Equal(step, sched.Position);
            Assert.Equal(Expected(step), opt.ParamGroups[0].LearningRate, 1e-15);
            Assert.Equal(Expected(step) / 4, opt.ParamGroups[1].LearningRate, 1e-15); // 0.05/0.2 of the first
            Assert.Equal(opt.ParamGroups[0].LearningRate, sched.LearningRate);
            sched.step();
        }
        Assert.Equal([0.2, 0.05], opt.ParamGroups.Select(g => g.InitialLearningRate));
    }

    [Fact]
    public void TheOptimizerStepsWithTheScheduledRate()
    {
        using var p = new Parameter(torch.tensor(new[] { 1.0 }));
        using var opt = new SGD([p], lr: 0.2);
        var sched = new LRScheduler(opt, new CosineSchedule(0.2, 10, warmupSteps: 2));
        sched.SetPosition(4);
        using (var g = torch.tensor(new[] { 1.0 })) p.grad = g;
        opt.step();
        Assert.Equal(1.0 - Expected(4), p.ToArray<double>()[0], 1e-15);
    }

    [Fact]
    public void SetPositionJumpsBothWays()
    {
        using var p = new Parameter(torch.tensor(new[] { 1.0 }));
        using var opt = new SGD([new ParamGroup([p], lr: 0.1)], lr: 0.1);
        // The schedule may name another base rate: the groups follow it in proportion.
        var sched = new LRScheduler(opt, new CosineSchedule(0.3, 10), start: 3);
        Assert.Equal(3, sched.Position);
        Assert.Equal(0.3 * (1 + Math.Cos(Math.PI * 3 / 10)) / 2, opt.ParamGroups[0].LearningRate, 1e-15);
        sched.SetPosition(10);
        Assert.Equal(0, opt.ParamGroups[0].LearningRate);
        sched.SetPosition(5);
        Assert.Equal(0.15, opt.ParamGroups[0].LearningRate, 1e-15);
        sched.step();
        Assert.Equal(6, sched.Position);
        Assert.Equal(0.3 * (1 + Math.Cos(Math.PI * 6 / 10)) / 2, opt.ParamGroups[0].LearningRate, 1e-15);
        Assert.Throws<ArgumentOutOfRangeException>(() => sched.SetPosition(-1));
        Assert.Equal(6, sched.Position);
    }
}
