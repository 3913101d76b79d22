using Research.Torch.Modules;
using Research.Torch.Optim;

namespace Research.Torch.Tests;

public sealed class ParamGroupTests
{
    private static Parameter Param(params double[] values) => new(torch.tensor(values));

    private static void SetGrad(Parameter p, params double[] g)
    {
        using var t = torch.tensor(g);
        p.grad = t;
    }

    [Fact]
    public void EachGroupUsesItsOwnLearningRateAndWeightDecay()
    {
        using var scope = torch.NewDisposeScope();
        using var a = Param(1.0, -2.0);
        using var b = Param(3.0, 4.0);
        using var frozen = Param(5.0, -6.0);
        using var opt = new SGD(
            [
                new ParamGroup([a]),                                    // defaults: lr 0.1, wd 0.01
                new ParamGroup([b], lr: 0.5, weight_decay: 0.2),
                new ParamGroup([frozen], lr: 0, weight_decay: 0.3),
            ],
            lr: 0.1, weight_decay: 0.01);

        Assert.Equal([0.1, 0.5, 0.0], opt.ParamGroups.Select(g => g.LearningRate));
        Assert.Equal([0.01, 0.2, 0.3], opt.ParamGroups.Select(g => g.WeightDecay));

        SetGrad(a, 0.5, 0.25);
        SetGrad(b, -1.0, 2.0);
        SetGrad(frozen, 7.0, 8.0);
        opt.step();

        // SGD: p ← p − lr·(g + wd·p)
        AssertClose([1.0 - 0.1 * (0.5 + 0.01 * 1.0), -2.0 - 0.1 * (0.25 + 0.01 * -2.0)], a.ToArray<double>());
        AssertClose([3.0 - 0.5 * (-1.0 + 0.2 * 3.0), 4.0 - 0.5 * (2.0 + 0.2 * 4.0)], b.ToArray<double>());
        Assert.Equal([5.0, -6.0], frozen.ToArray<double>()); // lr 0: not moved at all
    }

    [Fact]
    public void WeightDecayOnlyGroupShrinksOnlyItsParameters()
    {
        // Zero gradients isolate the decay: decayed ← p·(1 − lr·wd), the other group stays.
        using var scope = torch.NewDisposeScope();
        using var decayed = Param(2.0, -4.0);
        using var plain = Param(2.0, -4.0);
        using var opt = new SGD([new ParamGroup([decayed], weight_decay: 0.5), new ParamGroup([plain], weight_decay: 0)], lr: 0.1);
        SetGrad(decayed, 0.0, 0.0);
        SetGrad(plain, 0.0, 0.0);
        opt.step();
        AssertClose([2.0 * 0.95, -4.0 * 0.95], decayed.ToArray<double>());
        Assert.Equal([2.0, -4.0], plain.ToArray<double>());
    }

    [Fact]
    public void AdamWGroupWithoutDecayIsNotDecayed()
    {
        using var scope = torch.NewDisposeScope();
        using var w = Param(1.0);
        using var b = Param(1.0);
        using var opt = new AdamW([new ParamGroup([w]), new ParamGroup([b], weight_decay: 0)], lr: 0.1, weight_decay: 0.5);
        SetGrad(w, 1.0);
        SetGrad(b, 1.0);
        opt.step();
        // Adam's first step moves by lr·g/|g| (up to ε); AdamW first scales w by 1 − 0.1·0.5.
        Assert.Equal(1.0 - 0.1, b.ToArray<double>()[0], 1e-7);
        Assert.Equal(0.95 - 0.1, w.ToArray<double>()[0], 1e-7);
    }

    [Fact]
    public void WeightDecayGroupsPutsOneDimensionalParametersInTheNoDecayGroup()
    {
        using var model = torch.nn.Sequential(
            torch.nn.Conv2d(3, 4, 3),
            torch.nn.BatchNorm2d(4),
            torch.nn.ReLU(),
            torch.nn.Flatten(),
            torch.nn.Linear(16, 2));
        var conv = (Conv2d)model[0];
        var bn = (BatchNorm2d)model[1];
        var fc = (Linear)model[4];

        var groups = WeightDecayGroups.Split(model, 0.05);
        Assert.Equal(2, groups.Length);
        Assert.Equal(new Tensor[] { conv.weight, fc.weight }, groups[0].Parameters, ReferenceEqualityComparer.Instance);
        Assert.Equal(new Tensor[] { conv.bias!, bn.weight!, bn.bias!, fc.bias! }, groups[1].Parameters, ReferenceEqualityComparer.Instance);

        using var opt = new SGD(groups, lr: 0.1, weight_decay: 0.9);
        Assert.Equal(0.05, opt.ParamGroups[0].WeightDecay);
        Assert.Equal(0.0, opt.ParamGroups[1].WeightDecay);
        // Every parameter is in exactly one group.
        Assert.Equal(model.parameters().Count(), groups.Sum(g => g.Parameters.Count));
    }

    [Fact]
    public void AParameterInTwoGroupsIsRejected()
    {
        using var p = Param(1.0);
        Assert.Throws<ArgumentException>(() => new SGD([new ParamGroup([p]), new ParamGroup([p])], lr: 0.1));
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * Math.Abs(expected[i]), $"[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }
}
