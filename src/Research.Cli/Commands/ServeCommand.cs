using Research.Dashboard;

namespace Research.Cli.Commands;

/// <summary>
/// `research serve [DIR]`: a local web server listing the runs under DIR with their status,
/// each run's report updating live while it is written, and comparisons of runs; until Ctrl+C.
/// </summary>
public static class ServeCommand
{
    public static Option<int> Port() => new("--port")
    {
        Description = $"the port to listen on (0: any free one)",
        DefaultValueFactory = _ => DashboardServer.DefaultPort,
    };

    public static Option<string> Host() => new("--host")
    {
        Description = "the address to listen on: 127.0.0.1 (this machine only, the default), ::1, or 0.0.0.0 to serve the network",
        DefaultValueFactory = _ => "127.0.0.1",
    };

    public static Command Create()
    {
        var dir = new Argument<string>("dir") { Description = "the folder of runs (default: runs)", DefaultValueFactory = _ => "runs" };
        var port = Port();
        var host = Host();
        var cmd = new Command("serve", "a local web page of the runs under DIR: status, live reports while runs write, comparisons (Ctrl+C stops it)")
            { dir, port, host };
        cmd.SetAction(async (parse, cancel) =>
        {
            var o = parse.InvocationConfiguration.Output;
            await using var server = await Start(parse.GetValue(dir)!, parse.GetValue(host)!, parse.GetValue(port), o, parse.InvocationConfiguration.Error);
            o.WriteLine($"runs {RunCatalog.List(server.Root).Count}");
            o.WriteLine("(Ctrl+C stops the server)");
            o.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, cancel);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or SIGTERM: stop serving.
            }
            await server.StopAsync();
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>Starts the server and says where: `serve URL` and the folder (a warning when it listens beyond this machine).</summary>
    public static async Task<DashboardServer> Start(string dir, string host, int port, TextWriter o, TextWriter err)
    {
        bool loopback = DashboardServer.IsLoopback(host);
        var server = await DashboardServer.StartAsync(dir, host, port);
        if (!loopback)
            err.WriteLine($"warning: listening on {host}: anyone who can reach this machine on port {server.Url.Port} can read every file under {server.Root}");
        o.WriteLine($"serve {server.Url}");
        o.WriteLine($"root {server.Root}");
        return server;
    }
}
