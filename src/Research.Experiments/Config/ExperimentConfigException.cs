namespace Research.Experiments.Config;

/// <summary>
/// An experiment file that does not validate. <see cref="Errors"/> holds every problem found, each
/// as <c>FILE:LINE: key.path: what is wrong (allowed: ...)</c>; the message lists them all.
/// It is an <see cref="ArgumentException"/>, so the CLI reports it as bad input (exit code 2).
/// </summary>
public sealed class ExperimentConfigException : ArgumentException
{
    public ExperimentConfigException(string file, IReadOnlyList<string> errors)
        : base(Format(file, errors))
    {
        File = file;
        Errors = errors;
    }

    public string File { get; }
    public IReadOnlyList<string> Errors { get; }

    private static string Format(string file, IReadOnlyList<string> errors) =>
        $"{file} is not a valid experiment file ({errors.Count} {(errors.Count == 1 ? "error" : "errors")}):\n" + string.Join("\n", errors.Select(e => "  " + e));
}
