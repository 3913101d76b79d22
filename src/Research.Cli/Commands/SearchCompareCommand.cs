using MathNet.Numerics.Statistics;
using Research.Search.Schedule;

namespace Research.Cli.Commands;

/// <summary>
/// `research search compare A B`: two finished searches over the same candidates (a grid's
/// candidates.csv or a random search's random_baseline.csv), typically the full schedule and
/// successive halving: each one's winner, their training time, and the Spearman rank correlation
/// of the two orderings (a later rung ranks higher, then the score).
/// </summary>
public static class SearchCompareCommand
{
    public static Command Create()
    {
        var first = new Argument<string>("first") { Description = "a search's folder (or its candidates.csv / random_baseline.csv), e.g. the full schedule's" };
        var second = new Argument<string>("second") { Description = "the other search over the same candidates, e.g. halving's" };
        var cmd = new Command("compare", "compare two searches over the same candidates: winners, training time, Spearman rank correlation") { first, second };
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var a = SearchOutcomes.Read(parse.GetValue(first)!);
            var b = SearchOutcomes.Read(parse.GetValue(second)!);
            if (!a.Candidates.Keys.Order().SequenceEqual(b.Candidates.Keys.Order()))
                throw new ArgumentException($"{a.Path} and {b.Path} hold different candidates ({a.Candidates.Count} and {b.Candidates.Count}; compare searches over the same grid or the same sampled genotypes)");
            var keys = a.Candidates.Keys.Order(StringComparer.Ordinal).ToList();
            var rankA = a.Positions();
            var rankB = b.Positions();
            double rho = keys.Count > 1 ? Correlation.Spearman(keys.Select(k => (double)rankA[k]), keys.Select(k => (double)rankB[k])) : 1;
            string winnerA = rankA.MinBy(kv => kv.Value).Key, winnerB = rankB.MinBy(kv => kv.Value).Key;
            o.WriteLine($"candidates {keys.Count}");
            o.WriteLine($"first_winner {winnerA}");
            o.WriteLine($"second_winner {winnerB}");
            o.WriteLine($"same_winner {(winnerA == winnerB ? "true" : "false")}");
            o.WriteLine($"first_train_seconds {Numbers.Fixed(a.Candidates.Values.Sum(r => r.Seconds), 1)}");
            o.WriteLine($"second_train_seconds {Numbers.Fixed(b.Candidates.Values.Sum(r => r.Seconds), 1)}");
            o.WriteLine($"first_epochs {a.Candidates.Values.Sum(r => r.Epochs)}");
            o.WriteLine($"second_epochs {b.Candidates.Values.Sum(r => r.Epochs)}");
            o.WriteLine($"spearman {Numbers.Fixed(rho, 4)}");
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
