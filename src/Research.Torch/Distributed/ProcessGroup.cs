namespace Research.Torch.Distributed;

/// <summary>
/// A c10d process group: Gloo for CPU tensors, NCCL for CUDA tensors where the libtorch has it.
/// Every collective waits at most <see cref="Timeout"/>; a failure or a timeout is a
/// <see cref="DistributedException"/> naming this rank and the operation, and, through
/// <see cref="Diagnose"/>, the rank that caused it when that can be told.
/// </summary>
public sealed class ProcessGroup : IDisposable
{
    private IntPtr _handle;

    private ProcessGroup(IntPtr handle, string backend, int rank, int worldSize, TimeSpan timeout) =>
        (_handle, Backend, Rank, WorldSize, Timeout) = (handle, backend, rank, worldSize, timeout);

    public string Backend { get; }
    public int Rank { get; }
    public int WorldSize { get; }
    public TimeSpan Timeout { get; }

    /// <summary>
    /// Asked after a collective failed, with the operation's name: who is to blame (a dead or
    /// silent rank, or one that reported its own failure), or null when nothing more is known.
    /// </summary>
    public Func<string, (string Message, int? Culprit)?>? Diagnose { get; set; }

    /// <summary>Whether this build of the shim has the backend ("gloo", "nccl").</summary>
    public static bool IsAvailable(string backend)
    {
        Native.Check(Native.rt_dist_backend_available(backend, out var available));
        return available;
    }

    /// <summary>
    /// A Gloo group of worldSize ranks over the store's keys under prefix. networkInterface (as
    /// GLOO_SOCKET_IFNAME) or hostname (an address of this host) choose where Gloo listens; with
    /// neither, the address the host name resolves to.
    /// </summary>
    public static ProcessGroup Gloo(TcpStore store, int rank, int worldSize, TimeSpan timeout, string prefix = "default_pg",
        string? networkInterface = null, string? hostname = null, int threads = 2)
    {
        Check(rank, worldSize);
        var error = Native.rt_dist_gloo_create(store.NativeHandle, prefix, rank, worldSize, (long)timeout.TotalMilliseconds, networkInterface, hostname, threads,
            out var handle);
        GC.KeepAlive(store);
        if (error != IntPtr.Zero)
            throw new DistributedException(rank, worldSize, "gloo rendezvous", Marshal.PtrToStringUTF8(error) ?? "libtorch error");
        return new ProcessGroup(handle, "gloo", rank, worldSize, timeout);
    }

    /// <summary>An NCCL group (CUDA tensors; one device per rank).</summary>
    public static ProcessGroup Nccl(TcpStore store, int rank, int worldSize, TimeSpan timeout, string prefix = "default_pg")
    {
        Check(rank, worldSize);
        var error = Native.rt_dist_nccl_create(store.NativeHandle, prefix, rank, worldSize, (long)timeout.TotalMilliseconds, out var handle);
        GC.KeepAlive(store);
        if (error != IntPtr.Zero)
            throw new DistributedException(rank, worldSize, "nccl rendezvous", Marshal.PtrToStringUTF8(error) ?? "libtorch error");
        return new ProcessGroup(handle, "nccl", rank, worldSize, timeout);
    }

    private static void Check(int rank, int worldSize)
    {
        if (worldSize < 1) throw new ArgumentOutOfRangeException(nameof(worldSize), worldSize, "a world has at least one rank");
        if (rank < 0 || rank >= worldSize) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"a rank is 0-{worldSize - 1}");
    }

    private IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(ProcessGroup));

    private long TimeoutMs => (long)Timeout.TotalMilliseconds;

    /// <summary>Starts reducing tensor in place across the ranks; <see cref="Work.Wait"/> finishes it.</summary>
    public Work AllReduceAsync(Tensor tensor, ReduceOp op = ReduceOp.Sum)
    {
        var error = Native.rt_dist_all_reduce(Handle, tensor.Handle, (int)op, TimeoutMs, out var work);
        GC.KeepAlive(tensor);
        return Started(error, work, "all_reduce", tensor);
    }

    public void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum)
    {
        using var work = AllReduceAsync(tensor, op);
        work.Wait();
    }

    /// <summary>Copies root's tensor into every rank's, in place.</summary>
    public Work BroadcastAsync(Tensor tensor, int root = 0)
    {
        if (root < 0 || root >= WorldSize) throw new ArgumentOutOfRangeException(nameof(root), root, $"a rank is 0-{WorldSize - 1}");
        var error = Native.rt_dist_broadcast(Handle, tensor.Handle, root, TimeoutMs, out var work);
        GC.KeepAlive(tensor);
        return Started(error, work, "broadcast", tensor);
    }

    public void Broadcast(Tensor tensor, int root = 0)
    {
        using var work = BroadcastAsync(tensor, root);
        work.Wait();
    }

    /// <summary>Every rank's input, in rank order (new tensors shaped as the input; the caller owns them).</summary>
    public Tensor[] AllGather(Tensor input)
    {
        var outputs = Enumerable.Range(0, WorldSize).Select(_ => torch.empty_like(input)).ToArray();
        try
        {
            var error = Native.rt_dist_all_gather(Handle, input.Handle, outputs.Select(t => t.Handle).ToArray(), outputs.Length, TimeoutMs, out var work);
            GC.KeepAlive(input);
            using var started = Started(error, work, "all_gather", outputs);
            started.Wait();
            return outputs;
        }
        catch
        {
            foreach (var t in outputs) t.Dispose();
            throw;
        }
    }

    /// <summary>Returns when every rank has reached it.</summary>
    public void Barrier()
    {
        var error = Native.rt_dist_barrier(Handle, TimeoutMs, out var work);
        using var started = Started(error, work, "barrier", null);
        started.Wait();
    }

    /// <summary>
    /// The sum over ranks of input, differentiable: the gradient flowing back into each rank's input
    /// is the sum of every rank's gradient of the result (synchronised batch norm's statistics).
    /// </summary>
    public Tensor AllReduceDifferentiable(Tensor input)
    {
        var error = Native.rt_dist_all_reduce_differentiable(Handle, input.Handle, TimeoutMs, out var result);
        GC.KeepAlive(input);
        if (error != IntPtr.Zero) throw Failure("all_reduce (differentiable)", Marshal.PtrToStringUTF8(error) ?? "libtorch error");
        return new Tensor(result);
    }

    private Work Started(IntPtr error, IntPtr work, string operation, object? keep)
    {
        if (error != IntPtr.Zero) throw Failure(operation, Marshal.PtrToStringUTF8(error) ?? "libtorch error");
        return new Work(this, work, operation, keep);
    }

    /// <summary>The exception for a failed operation, with the diagnosis when there is one.</summary>
    internal DistributedException Failure(string operation, string message)
    {
        (string Message, int? Culprit)? diagnosis = null;
        try
        {
            diagnosis = Diagnose?.Invoke(operation);
        }
        catch (Exception e) when (e is TorchException or IOException or DistributedException)
        {
            // The diagnosis is best effort: the store may have gone with the failed rank.
        }
        string text = diagnosis is { } d ? $"{d.Message} ({message})" : message;
        return new DistributedException(Rank, WorldSize, operation, text, diagnosis?.Culprit);
    }

    internal void Wait(IntPtr work, string operation)
    {
        var error = Native.rt_dist_work_wait(work, TimeoutMs);
        if (error != IntPtr.Zero) throw Failure(operation, Marshal.PtrToStringUTF8(error) ?? "libtorch error");
    }

    public void Dispose()
    {
        var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h != IntPtr.Zero) Native.rt_dist_group_free(h);
    }
}

/// <summary>A collective in flight. Wait for it before reading its tensors; dispose it after.</summary>
public sealed class Work : IDisposable
{
    private IntPtr _handle;
    private readonly ProcessGroup _group;
    private readonly object? _keep;

    internal Work(ProcessGroup group, IntPtr handle, string operation, object? keep) => (_group, _handle, Operation, _keep) = (group, handle, operation, keep);

    public string Operation { get; }

    public void Wait()
    {
        var h = _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(Work));
        _group.Wait(h, Operation);
        GC.KeepAlive(_keep);
    }

    public void Dispose()
    {
        var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h != IntPtr.Zero) Native.rt_dist_work_free(h);
    }
}
