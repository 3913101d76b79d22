namespace Research.Torch.Tests;

public class OperatorTimeTests
{
    [Fact]
    public void SumAddsEachOperatorsFiguresAcrossStretchesAndSortsBySelfTime()
    {
        OperatorTime[] rows =
        [
            new("aten::conv2d", 4, 10.0, 12.0), new("aten::relu", 4, 3.0, 3.0),
            new("aten::conv2d", 4, 11.5, 13.0), new("aten::add", 1, 20.0, 20.0), new("aten::relu", 4, 2.5, 2.5),
        ];
        var sum = OperatorTime.Sum(rows);
        Assert.Equal([new("aten::conv2d", 8, 21.5, 25.0), new("aten::add", 1, 20.0, 20.0), new OperatorTime("aten::relu", 8, 5.5, 5.5)], sum);
        Assert.Empty(OperatorTime.Sum([]));
    }

    [Fact]
    public void ProfilingStepByStepGivesEachStepsCalls()
    {
        using var x = torch.ones([4, 4]);
        var steps = new List<IReadOnlyList<OperatorTime>>();
        for (int i = 0; i < 3; i++)
        {
            var profiler = OperatorProfiler.Start();
            using (var y = x.mul(2)) y.add(1).Dispose();
            steps.Add(profiler.Stop());
        }
        // Each session holds its own step's calls only (a scalar mul may record itself and the tensor overload it calls).
        var first = steps[0].ToDictionary(o => o.Name, o => o.Calls);
        Assert.True(first["aten::mul"] >= 1 && first["aten::add"] >= 1);
        Assert.All(steps, s => Assert.Equal(first, s.ToDictionary(o => o.Name, o => o.Calls)));
        var sum = OperatorTime.Sum(steps.SelectMany(s => s));
        Assert.Equal(3 * first["aten::mul"], sum.Single(o => o.Name == "aten::mul").Calls);
    }
}
