using Research.Torch;
using Research.Training;

namespace Research.Cli.Settings;

/// <summary>
/// How a command that trains or scores networks starts executing: --threads applied, the run settings bound, the device
/// resolved (bad input before anything is switched or written), and the project's own kernels switched as the run's
/// <c>kernels</c> setting says until this is disposed.
/// </summary>
public sealed class ExecutionStart : IDisposable
{
    private readonly IDisposable _kernels;

    private ExecutionStart(ExecutionConfig run, Device device, IDisposable kernels) => (Run, Device, _kernels) = (run, device, kernels);

    public ExecutionConfig Run { get; }
    public Device Device { get; }

    /// <param name="threads">null: the command applies --threads itself (after checks of its own)</param>
    public static ExecutionStart Begin(ParseResult parse, SettingOptions<ExecutionConfig> execution, Option<int>? threads)
    {
        if (threads is not null) CommonOptions.ApplyThreads(parse.GetValue(threads));
        var run = execution.Bind(parse);
        var device = run.ResolveDevice();
        return new ExecutionStart(run, device, run.ApplyKernels());
    }

    public void Dispose() => _kernels.Dispose();
}
