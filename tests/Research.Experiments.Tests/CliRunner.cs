namespace Research.Experiments.Tests;

/// <summary>Runs the CLI in-process (as tests/Research.Cli.Tests does) and captures its output.</summary>
internal static class CliRunner
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Research.Cli.Cli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }
}
