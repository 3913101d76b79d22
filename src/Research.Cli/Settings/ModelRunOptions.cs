using Research.Models.Inference;
using Research.Models.Networks;
using Research.Training;

namespace Research.Cli.Settings;

/// <summary>
/// The options of the commands that run a finished model (predict, models show): threads, the
/// device (execution without seed and distribution: nothing is drawn or shared), the inference
/// engine and the model overrides, added in that order. Each part is bound where the command needs it.
/// </summary>
public sealed class ModelRunOptions
{
    public Option<int> Threads { get; } = CommonOptions.Threads();
    public SettingOptions<ExecutionConfig> Execution { get; } = new(ExecutionConfig.Settings, except: ExecutionConfig.InferenceExcept);
    public SettingOptions<InferenceConfig> Inference { get; } = new(InferenceConfig.Settings);
    public SettingOptions<ModelOverrides> Overrides { get; } = new(ModelOverrides.Settings);

    public void AddTo(Command command)
    {
        command.Options.Add(Threads);
        Execution.AddTo(command);
        Inference.AddTo(command);
        Overrides.AddTo(command);
    }

    public void ApplyThreads(ParseResult parse) => CommonOptions.ApplyThreads(parse.GetValue(Threads));
}
