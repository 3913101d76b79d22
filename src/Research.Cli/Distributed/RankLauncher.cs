using Research.Core.IO;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Research.Cli.Distributed;

/// <summary>What `research launch` starts: N ranks of one command on this host, as one node of M.</summary>
public sealed record LaunchPlan
{
    public required int ProcessesPerNode { get; init; }
    public int Nodes { get; init; } = 1;
    public int NodeRank { get; init; }
    public string MasterAddress { get; init; } = "127.0.0.1";
    /// <summary>null: a free port on this host (one node), else 29500.</summary>
    public int? MasterPort { get; init; }
    public required string LogDir { get; init; }
    /// <summary>After the first rank fails, how long the others have to stop on their own before they are killed.</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(30);
    public required IReadOnlyList<string> Command { get; init; }

    public int WorldSize => ProcessesPerNode * Nodes;

    public LaunchPlan Validate()
    {
        if (ProcessesPerNode < 1) throw new ArgumentException($"--nproc-per-node {ProcessesPerNode}: at least 1");
        if (Nodes < 1) throw new ArgumentException($"--nnodes {Nodes}: at least 1");
        if (NodeRank < 0 || NodeRank >= Nodes) throw new ArgumentException($"--node-rank {NodeRank}: 0-{Nodes - 1} for {Nodes} node(s)");
        if (MasterPort is < 1 or > 65535) throw new ArgumentException($"--master-port {MasterPort}: a TCP port (1-65535)");
        if (Nodes > 1 && MasterAddress is "127.0.0.1" or "localhost")
            throw new ArgumentException($"--nnodes {Nodes}: give --master-addr, the address of node 0 that every node can reach");
        if (Command.Count == 0) throw new ArgumentException("launch: no command after `--` (e.g. research launch --nproc-per-node 2 -- train --model mobilenet_v2)");
        if (Command[0] == "launch") throw new ArgumentException("launch: the command to start cannot be launch itself");
        return this;
    }
}

/// <summary>
/// torchrun's job for one host: starts the ranks of a plan with the rendezvous environment
/// (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT), prefixes and
/// tees each rank's lines to the terminal and to LOG_DIR/rank-N.log, and waits. When a rank fails,
/// the others get the grace period to stop on their own (their errors name the failed rank) and
/// are then killed; the launcher exits with the first failing rank's code (128 + signal when a
/// signal ended it). A rank that stays stopped (SIGSTOP, SIGTSTP, a debugger) for
/// <see cref="StoppedLimit"/> cannot take part any more: it is named and killed, which fails the job.
/// </summary>
public static class RankLauncher
{
    /// <summary>How long a rank may stay stopped before the launcher ends it (the ranks' own watch names it after 15 s).</summary>
    public static readonly TimeSpan StoppedLimit = TimeSpan.FromSeconds(10);

    public static int Run(LaunchPlan plan, TextWriter output, TextWriter error)
    {
        plan.Validate();
        int port = plan.MasterPort ?? (plan.Nodes == 1 ? FreePort() : Torch.Distributed.DistributedEnvironment.DefaultPort);
        DurableFile.CreateDirectory(plan.LogDir);
        var (exe, prefix) = ResearchExecutable();
        var gate = new object();
        var ranks = new List<(int Rank, Process Process, StreamWriter Log, Task Pumps)>();
        output.WriteLine($"launch: {plan.ProcessesPerNode} rank(s) on node {plan.NodeRank} of {plan.Nodes}, world {plan.WorldSize}, store {plan.MasterAddress}:{port}, logs {plan.LogDir}");
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            lock (gate) foreach (var r in ranks) Kill(r.Process);
        });
        try
        {
            for (int local = 0; local < plan.ProcessesPerNode; local++)
            {
                int rank = plan.NodeRank * plan.ProcessesPerNode + local;
                var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var a in prefix.Concat(plan.Command)) psi.ArgumentList.Add(a);
                var env = psi.Environment;
                env["RANK"] = Text(rank);
                env["WORLD_SIZE"] = Text(plan.WorldSize);
                env["LOCAL_RANK"] = Text(local);
                env["LOCAL_WORLD_SIZE"] = Text(plan.ProcessesPerNode);
                env["GROUP_RANK"] = Text(plan.NodeRank);
                env["MASTER_ADDR"] = plan.MasterAddress;
                env["MASTER_PORT"] = Text(port);
                var logPath = Path.Combine(plan.LogDir, $"rank-{rank}.log");
                var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
                var process = Process.Start(psi) ?? throw new InvalidOperationException($"launch: could not start {exe}");
                var pumps = Task.WhenAll(Pump(process.StandardOutput, rank, log, output, gate), Pump(process.StandardError, rank, log, error, gate));
                lock (gate)
                {
                    ranks.Add((rank, process, log, pumps));
                    output.WriteLine($"launch: rank {rank} pid {process.Id} log {logPath}");
                }
            }
            return Wait(plan, ranks.Select(r => (r.Rank, r.Process)).ToList(), output, gate);
        }
        finally
        {
            foreach (var r in ranks)
            {
                Kill(r.Process);
                r.Pumps.Wait(TimeSpan.FromSeconds(10));
                r.Log.Dispose();
                r.Process.Dispose();
            }
        }
    }

    private static int Wait(LaunchPlan plan, List<(int Rank, Process Process)> ranks, TextWriter output, object gate)
    {
        var running = ranks.ToList();
        (int Rank, int Code, Stopwatch Since)? first = null;
        var stoppedSince = new Dictionary<int, long>();
        long lastTick = Stopwatch.GetTimestamp();
        while (running.Count > 0)
        {
            foreach (var r in running.ToList())
            {
                if (!r.Process.HasExited) continue;
                r.Process.WaitForExit(); // the output pumps have drained
                running.Remove(r);
                int code = r.Process.ExitCode;
                lock (gate) output.WriteLine($"launch: rank {r.Rank} exited with code {code}");
                if (code != 0 && first is null) first = (r.Rank, code, Stopwatch.StartNew());
            }
            // After a pause of the launcher itself (the whole job stopped and continued), nobody's stop is timed from before it.
            long now = Stopwatch.GetTimestamp();
            if (Stopwatch.GetElapsedTime(lastTick, now) > TimeSpan.FromSeconds(2)) stoppedSince.Clear();
            lastTick = now;
            foreach (var r in running)
            {
                if (!IsStopped(r.Process)) stoppedSince.Remove(r.Rank);
                else if (!stoppedSince.TryAdd(r.Rank, now) && Stopwatch.GetElapsedTime(stoppedSince[r.Rank], now) > StoppedLimit)
                {
                    lock (gate) output.WriteLine($"launch: rank {r.Rank} (pid {r.Process.Id}) has been stopped for {StoppedLimit.TotalSeconds:F0} s " +
                                                 "(SIGSTOP, SIGTSTP or a debugger) and cannot take part; killing it");
                    Kill(r.Process);
                    stoppedSince.Remove(r.Rank);
                }
            }
            if (first is { } f && running.Count > 0 && f.Since.Elapsed > plan.Grace)
            {
                foreach (var r in running)
                {
                    lock (gate) output.WriteLine($"launch: rank {r.Rank} did not stop within {plan.Grace.TotalSeconds:F0} s of rank {f.Rank}'s failure; killing it");
                    Kill(r.Process);
                }
                foreach (var r in running) r.Process.WaitForExit();
                running.Clear();
            }
            Thread.Sleep(100);
        }
        if (first is { } failed)
        {
            lock (gate) output.WriteLine($"launch: failed: rank {failed.Rank} exited first with code {failed.Code}");
            return failed.Code;
        }
        lock (gate) output.WriteLine($"launch: all {ranks.Count} rank(s) finished");
        return ExitCodes.Ok;
    }

    /// <summary>Whether the process is stopped by a signal or a debugger (/proc/PID/stat's state T or t; Linux only).</summary>
    private static bool IsStopped(Process process)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            var stat = File.ReadAllText($"/proc/{process.Id}/stat");
            // "pid (comm) S ...": the name may hold spaces and parentheses, so the state follows the last ')'.
            int close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] is 'T' or 't';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // it has exited
        }
    }

    private static async Task Pump(StreamReader from, int rank, StreamWriter log, TextWriter to, object gate)
    {
        while (await from.ReadLineAsync() is { } line)
            lock (gate)
            {
                log.WriteLine(line);
                to.WriteLine($"[rank {rank}] {line}");
            }
    }

    private static void Kill(Process p)
    {
        try
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited in between.
        }
    }

    /// <summary>The `research` program this process runs as: the app host beside it, or the dotnet host and its entry assembly.</summary>
    private static (string Exe, string[] Prefix) ResearchExecutable()
    {
        var host = Path.Combine(AppContext.BaseDirectory, "research");
        if (File.Exists(host)) return (host, []);
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("launch: cannot tell which program this is");
        var entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" && entry is { Length: > 0 } ? (process, [entry]) : (process, []);
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string Text(int v) => v.ToString(CultureInfo.InvariantCulture);
}
