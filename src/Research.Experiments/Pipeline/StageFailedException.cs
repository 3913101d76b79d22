namespace Research.Experiments.Pipeline;

/// <summary>A stage threw: the manifest marks it failed, and this carries the stage, the run directory and the cause.</summary>
public sealed class StageFailedException(string stage, string runDir, Exception inner)
    : Exception($"stage {stage} failed: {inner.Message}", inner)
{
    public string Stage { get; } = stage;
    public string RunDir { get; } = runDir;

    /// <summary>True when the cause is bad input (a setting, a file) rather than a failure while running.</summary>
    public bool IsBadInput => InnerException is ArgumentException or FormatException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException
        or Research.Torch.IO.SafeTensorsFormatException;
}
