using System.Text;

namespace Research.Torch.Distributed;

/// <summary>
/// c10d's TCPStore: the key-value rendezvous every rank connects to (torch.distributed's env://).
/// The hosting rank listens; the others connect, retrying until the timeout. Besides the process
/// groups' own keys it carries the framework's: heartbeats, failure notes, work queues, results.
/// Calls from several threads must use separate stores (one connection each).
/// </summary>
public sealed class TcpStore : IDisposable
{
    private IntPtr _handle;

    private TcpStore(IntPtr handle, string host) => (_handle, Host) = (handle, host);

    /// <param name="port">0 on the host: any free port (read it back from <see cref="Port"/>)</param>
    public static TcpStore Create(string host, int port, int worldSize, bool isServer, TimeSpan timeout)
    {
        if (port is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(port), port, "a TCP port is 0-65535");
        var error = Native.rt_dist_store_create(host, port, worldSize, isServer, (long)timeout.TotalMilliseconds, out var handle);
        if (error != IntPtr.Zero)
        {
            string what = isServer ? $"could not listen on port {port}" : $"could not reach the store at {host}:{port}";
            throw new IOException($"rendezvous: {what} ({TorchMessage(error)})");
        }
        return new TcpStore(handle, host);
    }

    public string Host { get; }

    private IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(TcpStore));

    internal IntPtr NativeHandle => Handle;

    public int Port
    {
        get
        {
            Native.Check(Native.rt_dist_store_port(Handle, out var port));
            return port;
        }
    }

    public unsafe void Set(string key, ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value) Native.Check(Native.rt_dist_store_set(Handle, key, p, value.Length));
    }

    public void Set(string key, string value) => Set(key, Encoding.UTF8.GetBytes(value));

    /// <summary>The value of key, waiting for it up to the store's timeout.</summary>
    public byte[] Get(string key)
    {
        Native.Check(Native.rt_dist_store_get(Handle, key, out var data, out var n));
        try
        {
            var bytes = new byte[n];
            System.Runtime.InteropServices.Marshal.Copy(data, bytes, 0, (int)n);
            return bytes;
        }
        finally
        {
            Native.rt_dist_bytes_free(data);
        }
    }

    public string GetString(string key) => Encoding.UTF8.GetString(Get(key));

    /// <summary>Adds delta to the integer at key (0 when absent) and returns the new value, atomically across ranks.</summary>
    public long Add(string key, long delta)
    {
        Native.Check(Native.rt_dist_store_add(Handle, key, delta, out var value));
        return value;
    }

    public bool Contains(string key)
    {
        Native.Check(Native.rt_dist_store_check(Handle, key, out var present));
        return present;
    }

    /// <summary>Waits until key is set; throws on timeout.</summary>
    public void Wait(string key, TimeSpan timeout) => Native.Check(Native.rt_dist_store_wait(Handle, key, (long)timeout.TotalMilliseconds));

    public bool Delete(string key)
    {
        Native.Check(Native.rt_dist_store_delete(Handle, key, out var deleted));
        return deleted;
    }

    public void Dispose()
    {
        var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h != IntPtr.Zero) Native.rt_dist_store_free(h);
    }

    private static string TorchMessage(IntPtr error) => System.Runtime.InteropServices.Marshal.PtrToStringUTF8(error) ?? "libtorch error";
}
