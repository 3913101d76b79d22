namespace Research.Search.Schedule;

/// <summary>Where a candidate stopped under a schedule: its last rung, the epochs it had trained then, and its score there.</summary>
public sealed record RungOutcome(int Index, int Rung, int Epochs, double Score);

/// <summary>
/// Successive halving as a pure plan over candidates 0..n-1: rung r trains the survivors to
/// min_epochs·η^r epochs (the last rung to the whole budget), scores them, and keeps the best
/// ⌈survivors/η⌉ (ties go to the lower index) until one is left at the whole budget. Training
/// continues a candidate from its previous rung, so a survivor's final figures are exactly those
/// of the full schedule.
/// </summary>
public static class SuccessiveHalving
{
    /// <summary>The epochs of each rung: min, min·η, min·η², ... below the budget, then the budget itself.</summary>
    public static IReadOnlyList<int> Budgets(int minEpochs, int maxEpochs, int eta)
    {
        if (minEpochs < 1 || maxEpochs < minEpochs || eta < 2)
            throw new ArgumentException($"halving needs 1 <= min_epochs ({minEpochs}) <= epochs ({maxEpochs}) and eta ({eta}) >= 2");
        var budgets = new List<int>();
        for (long e = minEpochs; e < maxEpochs; e *= eta) budgets.Add((int)e);
        budgets.Add(maxEpochs);
        return budgets;
    }

    /// <param name="trainRung">trains the given candidates to the given epochs and returns their scores (higher is better), in the same order</param>
    /// <returns>every candidate's outcome, in index order</returns>
    public static IReadOnlyList<RungOutcome> Run(int count, int minEpochs, int maxEpochs, int eta,
        Func<IReadOnlyList<int>, int, int, IReadOnlyList<double>> trainRung)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "a search needs a candidate");
        var budgets = Budgets(minEpochs, maxEpochs, eta);
        var outcomes = new RungOutcome[count];
        IReadOnlyList<int> alive = Enumerable.Range(0, count).ToList();
        for (int rung = 0; rung < budgets.Count; rung++)
        {
            var scores = trainRung(alive, rung, budgets[rung]);
            if (scores.Count != alive.Count) throw new InvalidOperationException($"rung {rung}: {scores.Count} scores for {alive.Count} candidates");
            for (int i = 0; i < alive.Count; i++) outcomes[alive[i]] = new RungOutcome(alive[i], rung, budgets[rung], scores[i]);
            int keep = (alive.Count + eta - 1) / eta;
            alive = alive.Select((c, i) => (c, Score: scores[i])).OrderByDescending(x => x.Score).ThenBy(x => x.c).Take(keep).Select(x => x.c).OrderBy(c => c).ToList();
        }
        return outcomes;
    }

    /// <summary>Candidates best first: the later the rung they reached, the better; within a rung, by score.</summary>
    public static IReadOnlyList<int> Ranking(IReadOnlyList<RungOutcome> outcomes) =>
        outcomes.OrderByDescending(o => o.Rung).ThenByDescending(o => o.Score).ThenBy(o => o.Index).Select(o => o.Index).ToList();
}
