namespace Research.Cli.Tests;

/// <summary>Runs the CLI in-process on an argument array and captures its output.</summary>
internal static class CliRunner
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Cli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    /// <summary>The `name value` lines of a command's output.</summary>
    public static Dictionary<string, string> Figures(string output) => Benchmarks.PyTorchReference.ParseFigures(output);
}
