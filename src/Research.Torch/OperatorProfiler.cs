namespace Research.Torch;

/// <summary>One libtorch operator's figures over a profiled stretch: calls, self time (less its child operators') and total time.</summary>
public sealed record OperatorTime(string Name, long Calls, double SelfMs, double TotalMs)
{
    /// <summary>The figures of several profiled stretches added per operator name, by self time, largest first.</summary>
    public static IReadOnlyList<OperatorTime> Sum(IEnumerable<OperatorTime> rows) =>
        rows.GroupBy(r => r.Name, StringComparer.Ordinal)
            .Select(g => new OperatorTime(g.Key, g.Sum(r => r.Calls), g.Sum(r => r.SelfMs), g.Sum(r => r.TotalMs)))
            .OrderByDescending(r => r.SelfMs).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
}

/// <summary>
/// libtorch's operator profiler (RecordFunction; Debian's libtorch has no Kineto) on the calling
/// thread: every operator it runs and the backward the autograd engine runs for it on CPU, with
/// the fused kernels' own entries (research::batch_norm_act). Start, run, <see cref="Stop"/>; one
/// profiler at a time per thread. Start and Stop must run on the same thread.
/// </summary>
public sealed class OperatorProfiler : IDisposable
{
    private bool _running;

    private OperatorProfiler() => _running = true;

    public static OperatorProfiler Start()
    {
        Native.Check(Native.rt_profiler_start());
        return new OperatorProfiler();
    }

    /// <summary>Stops profiling and returns each operator name's figures, by self time, largest first.</summary>
    public IReadOnlyList<OperatorTime> Stop()
    {
        if (!_running) throw new InvalidOperationException("the profiler was already stopped");
        _running = false;
        Native.Check(Native.rt_profiler_stop(out var table));
        try
        {
            long n = Native.rt_profile_table_size(table);
            var rows = new List<OperatorTime>((int)n);
            for (long i = 0; i < n; i++)
            {
                Native.rt_profile_table_row(table, i, out var name, out var calls, out var selfUs, out var totalUs);
                rows.Add(new OperatorTime(Marshal.PtrToStringUTF8(name) ?? "", calls, selfUs / 1000, totalUs / 1000));
            }
            return rows.OrderByDescending(r => r.SelfMs).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
        }
        finally
        {
            Native.rt_profile_table_free(table);
        }
    }

    public void Dispose()
    {
        if (_running) Stop();
    }
}
