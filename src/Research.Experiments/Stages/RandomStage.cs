using Research.Core.Text;
using Research.Experiments.Pipeline;

namespace Research.Experiments.Stages;

/// <summary>
/// stages.random: the baseline every cell search must beat, with the settings of `research search
/// random` (<see cref="RandomSearchConfig"/>): genotypes sampled from the space, trained on the
/// search's split, the best kept as random/random_genotype.json. Each candidate resumes from its checkpoint.
/// With <c>seeds</c> each seed searches in random/seed&lt;S&gt;/ (its own genotypes, splits and training) and the
/// seed whose best candidate scored best on the held-out part is taken (<see cref="SeedSelection"/>).
/// </summary>
public static class RandomStage
{
    public static void Run(StageContext ctx)
    {
        var cfg = ctx.Config.Stages.Random!;
        var data = ctx.LoadData(cfg.Subset);
        var space = SearchSpace.Load(ctx.Config.ResolvePath(cfg.Space ?? throw new ArgumentException("stages.random.space is required")));
        SeedOutcome SearchSeed(int seed, string dir)
        {
            var search = cfg.Search with
            {
                Recipe = cfg.Search.Recipe with { Seed = seed },
                // The latency table is named relative to the experiment file.
                Screening = cfg.Search.Screening with { Latency = new() { Table = cfg.Search.Screening.Latency.Table is { } t ? ctx.Config.ResolvePath(t) : null } },
            };
            var r = RandomSearch.Run(space, data, ctx.Dataset.Name, search, dir, new TrainerOptions { OutDir = dir, Device = ctx.Device }, ctx.Log, ctx.World);
            ctx.Log.WriteLine($"random: {r.Candidates.Count} candidates, best {r.Best.Index} val_top1 {Numbers.Fixed(r.Best.ValTop1, 2)} genotype {r.Best.Genotype}");
            return new SeedOutcome(seed, r.Best.ValTop1, r.Best.Genotype.ToString());
        }
        if (cfg.Seeds is { } seeds) SeedSelection.Run("random", ctx.Layout.RandomDir, RandomSearch.GenotypeFileName, seeds, SearchSeed, ctx.Log, ctx.IsMain);
        else SearchSeed(ctx.Config.Seed, ctx.Layout.RandomDir);
    }
}
