using System.Diagnostics;
using System.Globalization;

namespace Research.Torch.Distributed;

/// <summary>
/// This process's membership of a distributed run (torch.distributed.init_process_group): the
/// store rank 0 hosts, the default process group, and what makes failures explicable. Every rank
/// beats a heartbeat counter in the store once a second on a connection of its own and leaves a
/// note there when it fails; a collective that fails or times out then names the rank to blame
/// (one that failed, one whose heartbeat stopped, or rank 0 when the store is gone with it).
/// A watch thread does not wait for a collective to time out: a rank that leaves a failure note, whose
/// heartbeat stands still for <see cref="LostAfter"/>, or (from the other ranks) a store that stops
/// answering for as long, is <see cref="Lost"/> at once, and <see cref="RankLost"/> is told, so the
/// command can end a job that would otherwise hang for the whole collective timeout.
/// </summary>
public sealed class DistributedWorld : IDisposable
{
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);
    /// <summary>How long a heartbeat must stand still for its rank to count as dead or stopped.</summary>
    private static readonly TimeSpan SilenceThreshold = TimeSpan.FromSeconds(4);

    /// <summary>
    /// How long the watch lets a heartbeat (or the store) stand still before the rank is lost: long beside a
    /// beat a second and any pause a healthy process makes, short beside a collective's timeout (600 s by default).
    /// </summary>
    public static readonly TimeSpan LostAfter = TimeSpan.FromSeconds(15);

    private readonly TcpStore _heartbeatStore;
    private readonly object _heartbeatLock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _heartbeat;
    private readonly Dictionary<string, int> _keyCounters = new(StringComparer.Ordinal);
    private readonly Thread _watch;
    // What the heartbeat thread last saw (every rank's count, when each last changed, when a poll last
    // finished, and any failure note), for the watch thread, which judges without touching the store.
    private readonly long[] _seenBeats;
    private readonly long[] _beatChangedAt;
    private long _lastPollAt;
    private Loss? _noted;
    private Loss? _loss;
    private bool _disposed;

    private DistributedWorld(DistributedEnvironment env, TcpStore store, TcpStore heartbeatStore, ProcessGroup group, TimeSpan timeout)
    {
        Environment = env;
        Store = store;
        _heartbeatStore = heartbeatStore;
        Group = group;
        Timeout = timeout;
        group.Diagnose = Diagnose;
        _seenBeats = new long[env.WorldSize];
        _beatChangedAt = Enumerable.Repeat(Stopwatch.GetTimestamp(), env.WorldSize).ToArray();
        _lastPollAt = Stopwatch.GetTimestamp();
        _heartbeat = new Thread(Beat) { IsBackground = true, Name = $"heartbeat rank {env.Rank}" };
        _heartbeat.Start();
        _watch = new Thread(Watch) { IsBackground = true, Name = $"watch rank {env.Rank}" };
        _watch.Start();
    }

    /// <summary>The failure the watch found (a rank that failed, fell silent, or a store that stopped answering); null while all is well.</summary>
    public DistributedException? Lost => Volatile.Read(ref _loss) is { } loss ? new DistributedException(Rank, WorldSize, "the run", loss.Message, loss.Culprit) : null;

    /// <summary>Why a rank counts as lost, and which.</summary>
    private sealed record Loss(string Message, int Culprit);

    /// <summary>
    /// Told once, on the watch thread, when a rank is lost. A collective waiting on the lost rank cannot be
    /// interrupted (Gloo waits for its timeout), so a command that would rather end now does it here.
    /// </summary>
    public Action<DistributedException>? RankLost { get; set; }

    public DistributedEnvironment Environment { get; }
    public int Rank => Environment.Rank;
    public int WorldSize => Environment.WorldSize;
    public int LocalRank => Environment.LocalRank;
    /// <summary>Rank 0: the one that writes a run's files.</summary>
    public bool IsMain => Rank == 0;
    public TimeSpan Timeout { get; }
    /// <summary>The store, for the calling thread (one thread at a time).</summary>
    public TcpStore Store { get; }
    public ProcessGroup Group { get; }

    /// <summary>
    /// Joins the world the environment describes: rank 0 hosts the store on MASTER_PORT, the others
    /// connect to MASTER_ADDR, and all wait at most timeout for each other. backend: gloo (CPU
    /// tensors) or nccl (CUDA tensors). GLOO_SOCKET_IFNAME chooses Gloo's network interface as in PyTorch.
    /// </summary>
    public static DistributedWorld Join(DistributedEnvironment env, string backend, TimeSpan timeout, TextWriter? log = null)
    {
        if (!env.IsDistributed) throw new ArgumentException("a world of one rank needs no rendezvous");
        if (backend is not ("gloo" or "nccl")) throw new ArgumentException($"distributed backend '{backend}': expected gloo or nccl");
        if (!ProcessGroup.IsAvailable(backend))
            throw new ArgumentException($"distributed backend {backend} is not in this build of the shim (it has {string.Join(", ", new[] { "gloo", "nccl" }.Where(ProcessGroup.IsAvailable))})");
        var clock = Stopwatch.StartNew();
        TcpStore? store = null, heartbeat = null;
        try
        {
            store = Connect(env, isServer: env.Rank == 0, timeout);
            heartbeat = Connect(env, isServer: false, timeout);
            string? networkInterface = System.Environment.GetEnvironmentVariable("GLOO_SOCKET_IFNAME") is { Length: > 0 } i ? i : null;
            // All ranks on one host talk over loopback; across hosts Gloo listens where the host name resolves.
            string? hostname = networkInterface is null && env.IsSingleHost ? "127.0.0.1" : null;
            var group = backend == "nccl"
                ? ProcessGroup.Nccl(store, env.Rank, env.WorldSize, timeout)
                : ProcessGroup.Gloo(store, env.Rank, env.WorldSize, timeout, networkInterface: networkInterface, hostname: hostname);
            log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"distributed rank {env.Rank} of {env.WorldSize} (local {env.LocalRank} of {env.LocalWorldSize}, {env.Source}) backend {backend} store {env.MasterAddress}:{env.MasterPort} joined in {clock.Elapsed.TotalSeconds:F1} s"));
            return new DistributedWorld(env, store, heartbeat, group, timeout);
        }
        catch (Exception e) when (e is TorchException or IOException)
        {
            heartbeat?.Dispose();
            store?.Dispose();
            throw new DistributedException(env.Rank, env.WorldSize, "rendezvous",
                $"{e.Message} (waited up to {timeout.TotalSeconds:F0} s for {env.WorldSize} ranks at {env.MasterAddress}:{env.MasterPort})", inner: e);
        }
        catch (DistributedException)
        {
            heartbeat?.Dispose();
            store?.Dispose();
            throw;
        }
    }

    private static TcpStore Connect(DistributedEnvironment env, bool isServer, TimeSpan timeout) =>
        TcpStore.Create(env.MasterAddress, env.MasterPort, env.WorldSize, isServer, timeout);

    /// <summary>A store key prefix unique to this use: the n-th call with a name gives the same prefix on every rank that calls in the same order.</summary>
    public string NextKey(string name)
    {
        int n = _keyCounters[name] = _keyCounters.GetValueOrDefault(name) + 1;
        return $"{name}/{n}";
    }

    /// <summary>Leaves a note for the other ranks: this rank is failing, and why (they name it in their errors).</summary>
    public void NoteFailure(string message)
    {
        try
        {
            lock (_heartbeatLock) _heartbeatStore.Set($"failed/{Rank}", message);
        }
        catch (Exception e) when (e is TorchException or IOException)
        {
            // The store may be gone (rank 0 died first); the note is best effort.
        }
    }

    /// <summary>
    /// Waits until one of keys is in the store and returns it; meanwhile a rank that fails or falls
    /// silent ends the wait with a <see cref="DistributedException"/> naming it (this can wait for hours: a candidate's training).
    /// </summary>
    public string WaitForAny(IReadOnlyList<string> keys, string operation)
    {
        var last = Heartbeats();
        var lastClock = Stopwatch.StartNew();
        while (true)
        {
            foreach (var key in keys)
                if (Store.Contains(key)) return key;
            Thread.Sleep(200);
            if (Volatile.Read(ref _loss) is { } loss) throw new DistributedException(Rank, WorldSize, operation, loss.Message, loss.Culprit);
            if (lastClock.Elapsed < SilenceThreshold) continue;
            var failed = FailedRank();
            if (failed is { } f) throw new DistributedException(Rank, WorldSize, operation, f.Message, f.Rank);
            var now = Heartbeats();
            for (int r = 0; r < WorldSize; r++)
                if (r != Rank && now[r] == last[r])
                    throw new DistributedException(Rank, WorldSize, operation, Silent(r, lastClock.Elapsed), r);
            (last, lastClock) = (now, Stopwatch.StartNew());
        }
    }

    /// <summary>Why a collective failed, as far as the store can tell.</summary>
    private (string Message, int? Culprit)? Diagnose(string operation)
    {
        if (Volatile.Read(ref _loss) is { } loss) return (loss.Message, loss.Culprit);
        try
        {
            if (FailedRank() is { } f) return (f.Message, f.Rank);
            var before = Heartbeats();
            var clock = Stopwatch.StartNew();
            Thread.Sleep(SilenceThreshold);
            if (FailedRank() is { } g) return (g.Message, g.Rank);
            var after = Heartbeats();
            for (int r = 0; r < WorldSize; r++)
                if (r != Rank && after[r] == before[r]) return (Silent(r, clock.Elapsed), r);
            return ($"every rank is alive, but not every rank joined {operation} within {Timeout.TotalSeconds:F0} s", null);
        }
        catch (Exception e) when (e is TorchException or IOException)
        {
            return Rank == 0 ? null
                : ($"the rendezvous store on rank 0 ({Environment.MasterAddress}:{Environment.MasterPort}) is unreachable: rank 0 died or stopped", 0);
        }
    }

    private static string Silent(int rank, TimeSpan silence) =>
        string.Create(CultureInfo.InvariantCulture, $"rank {rank} stopped responding (no heartbeat for {silence.TotalSeconds:F0} s: it died, was killed or is stopped)");

    private (int Rank, string Message)? FailedRank()
    {
        lock (_heartbeatLock)
            for (int r = 0; r < WorldSize; r++)
                if (r != Rank && _heartbeatStore.Contains($"failed/{r}"))
                    return (r, $"rank {r} failed: {_heartbeatStore.GetString($"failed/{r}")}");
        return null;
    }

    private long[] Heartbeats()
    {
        lock (_heartbeatLock)
            return Enumerable.Range(0, WorldSize).Select(r => _heartbeatStore.Add($"heartbeat/{r}", 0)).ToArray();
    }

    private void Beat()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                lock (_heartbeatLock)
                {
                    _heartbeatStore.Add($"heartbeat/{Rank}", 1);
                    long now = Stopwatch.GetTimestamp();
                    for (int r = 0; r < WorldSize; r++)
                    {
                        long count = _heartbeatStore.Add($"heartbeat/{r}", 0);
                        if (count != _seenBeats[r]) (_seenBeats[r], _beatChangedAt[r]) = (count, now);
                    }
                    if (_noted is null && FailedRank() is { } failed) Volatile.Write(ref _noted, new Loss(failed.Message, failed.Rank));
                    Volatile.Write(ref _lastPollAt, Stopwatch.GetTimestamp());
                }
            }
            catch (Exception e) when (e is TorchException or IOException or ObjectDisposedException)
            {
                return; // the store is gone: the watch notices the silence, and the next collective reports it
            }
            _stop.Token.WaitHandle.WaitOne(HeartbeatInterval);
        }
    }

    /// <summary>
    /// Judges what the heartbeat thread saw, once a second, without touching the store (which may hang).
    /// When this process itself was paused (stopped and continued, or starved), nobody can be judged by
    /// the time that passed, so the clocks start again.
    /// </summary>
    private void Watch()
    {
        long lastTick = Stopwatch.GetTimestamp();
        while (!_stop.Token.WaitHandle.WaitOne(HeartbeatInterval))
        {
            long now = Stopwatch.GetTimestamp();
            if (Stopwatch.GetElapsedTime(lastTick, now) > 3 * HeartbeatInterval)
            {
                Array.Fill(_beatChangedAt, now);
                Volatile.Write(ref _lastPollAt, now);
            }
            lastTick = now;
            if (Judge(now) is { } loss)
            {
                Volatile.Write(ref _loss, loss);
                RankLost?.Invoke(Lost!);
                return;
            }
        }
    }

    private Loss? Judge(long now)
    {
        if (Volatile.Read(ref _noted) is { } noted) return noted;
        var storeSilent = Stopwatch.GetElapsedTime(Volatile.Read(ref _lastPollAt), now);
        if (Rank != 0 && storeSilent > LostAfter)
            return new Loss(string.Create(CultureInfo.InvariantCulture,
                $"rank 0 stopped responding (the rendezvous store it hosts at {Environment.MasterAddress}:{Environment.MasterPort} has not answered for {storeSilent.TotalSeconds:F0} s: it died, was killed or is stopped)"), 0);
        for (int r = 0; r < WorldSize; r++)
            if (r != Rank && Stopwatch.GetElapsedTime(Volatile.Read(ref _beatChangedAt[r]), now) is var silent && silent > LostAfter)
                return new Loss(Silent(r, silent), r);
        return null;
    }

    /// <summary>A clean exit: waits for every rank (so rank 0's store outlives the others' last use), then leaves.</summary>
    public void Leave()
    {
        Group.Barrier();
        Dispose();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stop.Cancel();
        _heartbeat.Join(TimeSpan.FromSeconds(5));
        _watch.Join(TimeSpan.FromSeconds(5));
        Group.Dispose();
        lock (_heartbeatLock) _heartbeatStore.Dispose();
        Store.Dispose();
        _stop.Dispose();
    }
}
