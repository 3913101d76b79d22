using Research.Training;
using Spectre.Console;

namespace Research.Cli;

/// <summary>
/// A Spectre.Console progress bar with ETA on stderr, one task per epoch, shown only when
/// stderr is a terminal (scripts get the plain epoch lines on stdout).
/// </summary>
public static class TrainingProgressBar
{
    public static T Run<T>(Func<IProgress<TrainProgress>?, T> train)
    {
        if (Console.IsErrorRedirected || Environment.GetEnvironmentVariable("CI") is not null) return train(null);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        T result = default!;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                ProgressTask? task = null;
                int epoch = 0;
                var progress = new SyncProgress(p =>
                {
                    if (p.Epoch != epoch)
                    {
                        task?.StopTask();
                        epoch = p.Epoch;
                        task = ctx.AddTask($"epoch {p.Epoch}/{p.Epochs}", maxValue: p.Steps);
                    }
                    task!.Value = p.Step;
                    task.Description = $"epoch {p.Epoch}/{p.Epochs} loss {p.Loss:F4}";
                });
                result = train(progress);
                task?.StopTask();
            });
        return result;
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SyncProgress(Action<TrainProgress> report) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value) => report(value);
    }
}
