using System.Net;
using System.Net.Sockets;
using Research.Torch.Distributed;

namespace Research.Torch.Tests;

/// <summary>
/// A real two-rank world inside the test process: two threads, each joining over loopback with
/// its own TCPStore connection and Gloo process group (rank 0 hosts the store), as two processes
/// would. Each rank runs the body and then leaves as a command does (a barrier, so rank 0's store
/// outlives the other's last use; <c>leave: false</c> for bodies that break the group on purpose);
/// the first exception of either is rethrown.
/// </summary>
internal static class TwoRanks
{
    public static T[] Run<T>(Func<DistributedWorld, T> body, double timeoutSeconds = 30, bool leave = true)
    {
        int port = FreePort();
        var results = new T[2];
        var errors = new Exception?[2];
        var threads = Enumerable.Range(0, 2).Select(rank => new Thread(() =>
        {
            try
            {
                var env = new DistributedEnvironment(rank, 2, rank, 2, "127.0.0.1", port, "test");
                using var world = DistributedWorld.Join(env, "gloo", TimeSpan.FromSeconds(timeoutSeconds));
                results[rank] = body(world);
                if (leave) world.Leave();
            }
            catch (Exception e)
            {
                errors[rank] = e;
            }
        }) { IsBackground = true }).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads)
            if (!t.Join(TimeSpan.FromSeconds(timeoutSeconds * 4 + 30))) throw new TimeoutException("a rank did not finish");
        foreach (var e in errors)
            if (e is not null) throw new AggregateException(e);
        return results;
    }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
