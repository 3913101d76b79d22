namespace Research.Cli;

/// <summary>
/// The options that belong to the process rather than to a layer's settings, and mean the same in
/// every command (README.md, Commands): threads, output folder, resume, output format, the
/// search-space file. The settings a run records come from setting sets
/// (<see cref="Settings.SettingOptions{TRecord}"/>); the rest is a command's own wiring.
/// </summary>
public static class CommonOptions
{
    public static Option<int> Threads() => new("--threads")
    {
        Description = "libtorch CPU threads (0: all cores, shared among the ranks of a host)",
        DefaultValueFactory = _ => 0,
    };

    public static Option<string?> Out() => new("--out") { Description = "output directory" };
    public static Option<bool> Resume() => new("--resume") { Description = "continue the run in --out from its last checkpoint" };

    public static Option<string> Format() => new Option<string>("--format")
    {
        Description = "output format",
        DefaultValueFactory = _ => "table",
    }.AcceptOnlyFromAmong("table", "csv", "json");

    public static Option<string> SearchSpace() =>
        new("--space") { Description = "a search space file (search-spaces/*.yaml)", Required = true };

    public static void ApplyThreads(int threads)
    {
        if (threads < 0) throw new ArgumentException($"--threads {threads}: must be 0 (all cores) or positive");
        if (threads > 0) torch.set_num_threads(threads);
        else if (Torch.Distributed.DistributedEnvironment.FromProcess() is { LocalWorldSize: > 1 } env)
            torch.set_num_threads(env.DefaultThreads(Environment.ProcessorCount));
    }
}
