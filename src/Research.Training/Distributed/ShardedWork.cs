using Research.Torch.Distributed;

namespace Research.Training.Distributed;

/// <summary>
/// Hands independent pieces of work (a search's candidates, a family's members) to the ranks of a
/// world: each rank claims the next unclaimed index from a counter in the store, runs it whole with
/// its own threads or GPU, and publishes the result there; every rank then returns all results in
/// index order, exactly what a serial loop returns. Claiming as ranks free up balances candidates of
/// unequal cost. A piece that is already finished on disk (its folder has its checkpoint) is cheap to
/// run again, so a killed search resumes with any world size.
/// </summary>
public static class ShardedWork
{
    /// <summary>One piece's outcome: its result, or null when <c>admit</c> turned it away.</summary>
    public sealed record Outcome<T>(int Index, T? Result) where T : class;

    /// <param name="world">null or one rank: a plain loop</param>
    /// <param name="name">names the work in the store and in errors ("grid", "train")</param>
    /// <param name="admit">asked before running piece i with the results known so far (a time budget); false skips it</param>
    /// <param name="finished">called on the main rank after each piece it finishes, with every result known so far (partial CSVs)</param>
    public static IReadOnlyList<Outcome<T>> Run<T>(DistributedWorld? world, string name, int count, Func<int, T> run, Func<T, string> save,
        Func<string, T> load, Func<IReadOnlyList<T>, int, bool>? admit = null, Action<IReadOnlyList<Outcome<T>>>? finished = null) where T : class
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "cannot be negative");
        if (world is null || world.WorldSize == 1) return Serial(count, run, admit, finished);

        string prefix = world.NextKey($"work/{name}");
        var store = world.Store;
        var known = new SortedDictionary<int, Outcome<T>>();
        while (true)
        {
            int i = (int)store.Add($"{prefix}/next", 1) - 1;
            if (i >= count) break;
            Collect(store, prefix, count, load, known);
            var results = known.Values.Where(o => o.Result is not null).Select(o => o.Result!).ToList();
            if (admit is not null && !admit(results, i))
            {
                store.Set($"{prefix}/skipped/{i}", world.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture));
                known[i] = new Outcome<T>(i, null);
                continue;
            }
            var result = run(i);
            store.Set($"{prefix}/result/{i}", save(result));
            known[i] = new Outcome<T>(i, result);
            if (world.IsMain && finished is not null)
            {
                Collect(store, prefix, count, load, known);
                finished(known.Values.ToList());
            }
        }
        // Every piece is claimed; wait for the ones other ranks still run.
        for (int i = 0; i < count; i++)
        {
            if (known.ContainsKey(i)) continue;
            string key = world.WaitForAny([$"{prefix}/result/{i}", $"{prefix}/skipped/{i}"], $"{name}: waiting for piece {i}");
            known[i] = key.Contains("/skipped/", StringComparison.Ordinal) ? new Outcome<T>(i, null) : new Outcome<T>(i, load(store.GetString(key)));
        }
        var all = known.Values.ToList();
        if (world.IsMain) finished?.Invoke(all);
        return all;
    }

    private static IReadOnlyList<Outcome<T>> Serial<T>(int count, Func<int, T> run, Func<IReadOnlyList<T>, int, bool>? admit,
        Action<IReadOnlyList<Outcome<T>>>? finished) where T : class
    {
        var outcomes = new List<Outcome<T>>();
        for (int i = 0; i < count; i++)
        {
            var results = outcomes.Where(o => o.Result is not null).Select(o => o.Result!).ToList();
            if (admit is not null && !admit(results, i))
            {
                outcomes.Add(new Outcome<T>(i, null));
                continue;
            }
            outcomes.Add(new Outcome<T>(i, run(i)));
            finished?.Invoke(outcomes);
        }
        return outcomes;
    }

    /// <summary>Adds the results other ranks have published since the last look.</summary>
    private static void Collect<T>(TcpStore store, string prefix, int count, Func<string, T> load, SortedDictionary<int, Outcome<T>> known) where T : class
    {
        for (int i = 0; i < count; i++)
        {
            if (known.ContainsKey(i)) continue;
            if (store.Contains($"{prefix}/result/{i}")) known[i] = new Outcome<T>(i, load(store.GetString($"{prefix}/result/{i}")));
            else if (store.Contains($"{prefix}/skipped/{i}")) known[i] = new Outcome<T>(i, null);
        }
    }
}
