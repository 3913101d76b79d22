using Research.Models.Networks;

namespace Research.Cli.Benchmarks;

/// <summary>
/// The options of the commands that run <see cref="TrainStepBenchmark"/> (bench train, bench
/// profile): the model, at 10 classes and 32×32 unless told otherwise, the batch, and how many
/// steps are measured after how many warm-up steps. Each command lists them where it wants them.
/// </summary>
internal sealed class TrainStepOptions(string stepsDescription, int defaultSteps, string warmupDescription)
{
    public Option<string> Model { get; } = new("--model") { Description = "a registered model (research models list) or a spec file", Required = true };
    public SettingOptions<ModelOverrides> Overrides { get; } = new(ModelOverrides.Settings, new ModelOverrides { Classes = 10, Resolution = 32 });
    public Option<long> Batch { get; } = new("--batch") { Description = "batch size", DefaultValueFactory = _ => 64 };
    public Option<int> Steps { get; } = new("--steps") { Description = stepsDescription, DefaultValueFactory = _ => defaultSteps };
    public Option<int> Warmup { get; } = new("--warmup") { Description = warmupDescription, DefaultValueFactory = _ => 3 };
}
