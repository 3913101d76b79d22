using Research.Torch.Distributed;
using Research.Training;

namespace Research.Cli.Distributed;

/// <summary>
/// The distributed world a command runs in, when its environment describes several ranks (set by
/// `research launch`, torchrun, srun or an MPI launcher). Commands that train data-parallel or
/// share out candidates join it; the rest run on rank 0 alone. The error handler leaves the
/// failing rank's note in the world, so that the other ranks' errors name it. When the world's watch
/// loses a rank (it failed, or its heartbeat or the store stood still), this process ends at once with
/// an error naming it (exit code 1) instead of waiting out a collective that cannot finish.
/// </summary>
public static class CommandWorld
{
    private static readonly AsyncLocal<DistributedWorld?> _current = new();

    /// <summary>The commands (their paths after `research`) that take part on every rank.</summary>
    public static readonly string[] Aware = ["train", "search darts", "search random", "search grid", "search ablation", "run"];

    public static DistributedWorld? Current => _current.Value;

    /// <summary>Joins the environment's world (null when this process is alone); the device is this rank's.</summary>
    public static DistributedWorld? Join(ExecutionConfig run, Device device, TextWriter log, string backendOption = "dist_backend")
    {
        var env = DistributedEnvironment.FromProcess();
        if (!env.IsDistributed) return null;
        run.ResolveBackend(device, backendOption); // bad input before the rendezvous
        var world = run.JoinWorld(env, device, log);
        if (world is not null) world.RankLost = EndNow;
        _current.Value = world;
        return world;
    }

    /// <summary>
    /// The main thread may be inside a collective that waits for the lost rank until the timeout (Gloo cannot be
    /// interrupted), so the process ends from the watch thread, as the error handler would have ended it.
    /// </summary>
    private static void EndNow(DistributedException lost)
    {
        Console.Error.WriteLine($"error: {lost.Message}");
        Console.Error.Flush();
        Environment.Exit(ExitCodes.Failure);
    }

    /// <summary>Tells the other ranks that this one is failing and why (their errors then name it).</summary>
    public static void NoteFailure(string message)
    {
        try
        {
            _current.Value?.NoteFailure(message);
        }
        catch (ObjectDisposedException)
        {
            // The command's own `using` has already left the world on the way out; the others see this rank go.
        }
    }

    /// <summary>A clean end: waits for every rank, then leaves.</summary>
    public static void Leave(DistributedWorld? world)
    {
        if (world is null) return;
        world.Leave();
        _current.Value = null;
    }
}
