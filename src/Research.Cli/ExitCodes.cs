namespace Research.Cli;

/// <summary>The CLI's exit codes (README.md, Commands: 0 ok, 1 failure, 2 bad usage or invalid input).</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadInput = 2;
}
