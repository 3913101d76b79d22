using System.CommandLine;
using System.Globalization;
using Research.Search.Darts;
using Research.Training.Data;
using Research.Training.Training;

namespace Research.Cli.Commands;

/// <summary>
/// `research search random`: the baseline a cell search must beat, on its own so it can run with its
/// own time budget (e.g. the DARTS search's wall time) beside or after the search. Candidates are
/// sampled from the space, trained on the same seeded split as `search darts` with the same weight
/// recipe, and the best by held-out accuracy is written as random_genotype.json.
/// </summary>
public static class SearchRandomCommand
{
    public static Command Create()
    {
        var common = new CommonOptions.CellSearchOptionSet();
        var count = new Option<int>("--count") { Description = "genotypes to sample (at most, with --budget-minutes)", DefaultValueFactory = _ => 10 };
        var epochs = new Option<int>("--epochs") { Description = "epochs each genotype trains", DefaultValueFactory = _ => 1 };
        var budget = new Option<double?>("--budget-minutes") { Description = "stop sampling once another candidate of average cost would exceed this much training time" };
        var batch = new Option<int>("--batch") { Description = "batch size", DefaultValueFactory = _ => 64 };
        var lr = new Option<double>("--lr") { Description = "SGD learning rate (cosine), as in search darts", DefaultValueFactory = _ => 0.025 };
        var cmd = new Command("random", "random-search baseline: train N genotypes sampled from a space and keep the best; writes random_baseline.csv and random_genotype.json")
        {
            count, epochs, budget, batch, lr,
        };
        common.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var (sp, dev, s) = common.Start(parse);
            int n = parse.GetValue(count);
            if (parse.GetValue(budget) is <= 0) throw new ArgumentException($"--budget-minutes {parse.GetValue(budget)}: must be positive");
            var darts = new DartsConfig
            {
                BatchSize = parse.GetValue(batch), WeightLearningRate = parse.GetValue(lr), Seed = s, MemoryFormat = parse.GetValue(common.MemoryFormat)!,
            }.Validate();
            var recipe = darts.WeightRecipe(parse.GetValue(epochs));
            recipe.Validate();
            string dsName = parse.GetValue(common.Dataset)!;
            var data = common.LoadData(parse, s);
            string dir = common.OutDir(parse, "random", sp.Name, s);
            o.WriteLine($"space {sp.Name} count {n} epochs {recipe.Epochs} dataset {dsName} train {data.Train.Count} device {dev} threads {Torch.torch.get_num_threads()}");
            o.WriteLine($"out {dir}");
            double? seconds = parse.GetValue(budget) * 60;
            var r = TrainingProgressBar.Run(progress => RandomSearch.Run(sp, data, dsName, n, recipe, darts.TrainFraction, s, dir,
                new TrainerOptions { OutDir = dir, Device = dev, Progress = progress }, o, seconds));
            string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
            o.WriteLine($"random_candidates {r.Candidates.Count}");
            o.WriteLine($"random_best {r.Best.Index} val_top1 {r.Best.ValTop1.ToString("F2", CultureInfo.InvariantCulture)} genotype {r.Best.Genotype}");
            o.WriteLine($"random_genotype_file {Path.Combine(dir, RandomSearch.GenotypeFileName)}");
            o.WriteLine($"random_seconds {F(r.Seconds)}");
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
