using Research.Search.Schedule;

namespace Research.Search.Tests;

public class SuccessiveHalvingTests
{
    [Theory]
    [InlineData(1, 9, 3, new[] { 1, 3, 9 })]
    [InlineData(1, 10, 3, new[] { 1, 3, 9, 10 })]
    [InlineData(2, 12, 2, new[] { 2, 4, 8, 12 })]
    [InlineData(4, 4, 3, new[] { 4 })]
    public void RungBudgetsGrowByEtaUpToTheWholeBudget(int min, int max, int eta, int[] budgets) =>
        Assert.Equal(budgets, SuccessiveHalving.Budgets(min, max, eta));

    [Theory]
    [InlineData(0, 9, 3)]
    [InlineData(5, 4, 3)]
    [InlineData(1, 9, 1)]
    public void ImpossibleSchedulesAreBadInput(int min, int max, int eta) =>
        Assert.Throws<ArgumentException>(() => SuccessiveHalving.Budgets(min, max, eta));

    [Fact]
    public void EachRungKeepsTheBestThirdAndTheWinnerTrainsTheWholeBudget()
    {
        // Candidate i's score grows with the epochs and with how close i is to 5: the best is 5, then 4 and 6.
        double Score(int i, int epochs) => epochs - Math.Abs(i - 5) * 0.5;
        var rungs = new List<(int Rung, int Epochs, int[] Candidates)>();
        var outcomes = SuccessiveHalving.Run(9, 1, 9, 3, (alive, rung, epochs) =>
        {
            rungs.Add((rung, epochs, alive.ToArray()));
            return alive.Select(i => Score(i, epochs)).ToList();
        });
        Assert.Equal([(0, 1, 9), (1, 3, 3), (2, 9, 1)], rungs.Select(r => (r.Rung, r.Epochs, r.Candidates.Length)));
        Assert.Equal([4, 5, 6], rungs[1].Candidates);
        Assert.Equal([5], rungs[2].Candidates);
        Assert.Equal(new RungOutcome(5, 2, 9, 9), outcomes[5]);
        Assert.Equal(new RungOutcome(0, 0, 1, Score(0, 1)), outcomes[0]);
        Assert.Equal(1, outcomes[4].Rung);
        var ranking = SuccessiveHalving.Ranking(outcomes);
        Assert.Equal(5, ranking[0]);
        Assert.Equal([4, 6], ranking.Skip(1).Take(2).Order());
        Assert.Equal(9, ranking.Distinct().Count());
    }

    [Fact]
    public void TiesGoToTheLowerIndex()
    {
        var outcomes = SuccessiveHalving.Run(4, 1, 2, 2, (alive, _, _) => alive.Select(_ => 1.0).ToList());
        Assert.Equal([0, 1], outcomes.Where(o => o.Rung == 1).Select(o => o.Index));
    }
}
