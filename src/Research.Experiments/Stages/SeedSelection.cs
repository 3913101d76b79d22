using Research.Core.Csv;
using Research.Core.Text;
using Research.Experiments.Runs;

namespace Research.Experiments.Stages;

/// <summary>What one seed of a search found: the held-out top-1 it is judged by and its cell.</summary>
public sealed record SeedOutcome(int Seed, double HeldOutTop1, string Genotype);

/// <summary>
/// A search stage (darts, random) run with several seeds: each seed searches in its own
/// seed&lt;S&gt;/ folder (resuming there), and the later stages take the seed with the best held-out
/// top-1 (ties: the seed listed first). seeds.csv records every seed and the one taken; the winner's
/// genotype file is copied to the stage folder last, since it is the stage's marker.
/// </summary>
public static class SeedSelection
{
    public static readonly string[] Columns = ["seed", "held_out_top1", "taken", "genotype"];

    /// <param name="fileName">the genotype file every seed's folder holds and the stage folder must hold</param>
    /// <param name="search">runs one seed into its folder and says what it found</param>
    /// <param name="writes">whether this process writes the run's files (rank 0)</param>
    public static SeedOutcome Run(string stage, string stageDir, string fileName, IReadOnlyList<int> seeds, Func<int, string, SeedOutcome> search,
        TextWriter log, bool writes)
    {
        var outcomes = seeds.Select(seed => search(seed, RunLayout.SeedRun(stageDir, seed))).ToList();
        var best = outcomes.Aggregate((a, b) => b.HeldOutTop1 > a.HeldOutTop1 ? b : a);
        log.WriteLine($"{stage}: seeds {string.Join(", ", outcomes.Select(o => $"{o.Seed} {Numbers.Fixed(o.HeldOutTop1, 2)}"))}; taking seed {best.Seed} (best held-out top-1)");
        if (!writes) return best;
        DurableFile.WriteAllText(Path.Combine(stageDir, RunLayout.SeedsFile), CsvTable.ToText(Columns, outcomes.Select(o => new[]
        {
            Numbers.Integer(o.Seed), Numbers.RoundTrip(o.HeldOutTop1), o == best ? "yes" : "no", o.Genotype,
        })));
        DurableFile.WriteAllText(Path.Combine(stageDir, fileName), File.ReadAllText(Path.Combine(RunLayout.SeedRun(stageDir, best.Seed), fileName)));
        return best;
    }
}
