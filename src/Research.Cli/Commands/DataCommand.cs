using System.Diagnostics;
using Research.Training.Data;
using Research.Training.Transforms;

namespace Research.Cli.Commands;

/// <summary>
/// `research data`: loads a dataset as training would (for folder and CSV datasets: decodes it into
/// its cache, or finds the cache) and prints what a model will see, as `name value` lines. The way
/// to check a new dataset, or to build its cache once before many runs.
/// </summary>
public static class DataCommand
{
    public static Command Create()
    {
        var data = new SettingOptions<DataConfig>(DataConfig.Settings, except: "validation");
        var seed = new Option<int>("--seed") { Description = "the seed of a held-out split, when one is made", DefaultValueFactory = _ => 0 };
        var cmd = new Command("data", "load a dataset (decoding folder and CSV datasets into their cache) and print its classes, shape and statistics") { seed };
        foreach (var option in data.Options) cmd.Options.Add(option);
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var cfg = data.Bind(parse);
            var clock = Stopwatch.StartNew();
            var pair = cfg.Load(parse.GetValue(seed), parse.InvocationConfiguration.Error);
            double seconds = clock.Elapsed.TotalSeconds;
            var stats = pair.Stats();
            o.WriteLine($"dataset {cfg.Name}");
            if (cfg.DataDir is { } dir) o.WriteLine($"data_dir {dir}");
            o.WriteLine($"train {pair.Train.Count}");
            if (pair.Validation is { } val) o.WriteLine($"validation {val.Count}");
            o.WriteLine($"test {pair.Test.Count}");
            o.WriteLine($"classes {pair.Train.Classes}");
            // A JSON array: folder names may hold commas, quotes, line breaks or terminal escapes, and the line must stay one line.
            if (pair.Train.ClassNames is { } names)
                o.WriteLine($"class_names {System.Text.Json.JsonSerializer.Serialize(names, new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })}");
            o.WriteLine($"cache_mode {(pair.Train.Streamed ? "stream" : "memory")}");
            o.WriteLine($"stored {pair.Train.Channels}x{pair.Train.Height}x{pair.Train.Width}");
            o.WriteLine($"recipe {ImageRecipes.Name(pair.Recipe)}");
            o.WriteLine($"resolution {pair.Shape.Size}");
            o.WriteLine($"mean {string.Join(',', stats.Mean.Select(v => Numbers.Fixed(v, 4)))}");
            o.WriteLine($"std {string.Join(',', stats.Std.Select(v => Numbers.Fixed(v, 4)))}");
            o.WriteLine($"skipped {pair.Skipped.Count}");
            if (pair.Fingerprint is { } fingerprint) o.WriteLine($"fingerprint {fingerprint}");
            o.WriteLine($"load_seconds {Numbers.Fixed(seconds, 2)}");
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
