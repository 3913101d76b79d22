using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Research.Experiments.Reports.Html;

namespace Research.Dashboard;

/// <summary>
/// `research serve`: a local web server over a folder of runs (Kestrel, from ASP.NET Core's shared
/// framework). Pages: / (the runs, live), /run/PATH/ (a run's report, live), /compare?run=A&amp;run=B;
/// their models as JSON under /api/ (with an ETag from the run's fingerprint, so a poll that finds
/// nothing new costs a directory listing); /files/PATH (a run's files as they are); /assets/NAME.
/// GET and HEAD only. Every path is checked by <see cref="ServedPath"/>; pages are rendered in
/// memory and nothing is written anywhere, so the server is never a second writer of a run.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    public const int DefaultPort = 8642;
    /// <summary>How often an open page asks for a newer model.</summary>
    public const int PollMilliseconds = 1000;

    private readonly WebApplication _app;
    private readonly ServedPath _paths;
    private readonly SnapshotCache _cache = new();

    public string Root => _paths.Root;
    /// <summary>The base address, e.g. http://127.0.0.1:8642/.</summary>
    public Uri Url { get; private set; } = null!;

    private DashboardServer(WebApplication app, ServedPath paths)
    {
        _app = app;
        _paths = paths;
    }

    /// <summary>Starts serving <paramref name="root"/> on <paramref name="host"/>:<paramref name="port"/> (0: any free port).</summary>
    public static async Task<DashboardServer> StartAsync(string root, string host = "127.0.0.1", int port = DefaultPort)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"{root}: no such directory to serve");
        if (port is < 0 or > 65535) throw new ArgumentException($"--port {port}: expected 0 (any free port) to 65535");
        var address = Address(host);
        // The empty builder reads no configuration files or variables: what is served is what is passed here.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(o =>
        {
            o.AddServerHeader = false;
            o.Listen(address, port);
        });
        var app = builder.Build();
        var server = new DashboardServer(app, new ServedPath(root));
        app.Run(server.Handle);
        try
        {
            await app.StartAsync();
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new ArgumentException($"--port {port}: cannot listen on {host}:{port} ({e.Message}); pass another --port, or 0 for any free one", e);
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Url = new Uri(bound.Replace("://0.0.0.0:", $"://{Dns.GetHostName()}:").Replace("://[::]:", $"://{Dns.GetHostName()}:") + "/");
        return server;
    }

    public static IPAddress Address(string host) => host switch
    {
        "localhost" => IPAddress.Loopback,
        _ when IPAddress.TryParse(host.Trim('[', ']'), out var ip) => ip,
        _ => throw new ArgumentException($"--host {host}: expected an IP address (127.0.0.1, ::1; 0.0.0.0 for every interface) or localhost"),
    };

    public static bool IsLoopback(string host) => IPAddress.IsLoopback(Address(host));

    /// <summary>The page of a run at <paramref name="relative"/> under the root.</summary>
    public static string RunPath(string relative) => "/run/" + string.Join('/', relative.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.EscapeDataString)) + (relative.Length > 0 ? "/" : "");

    public Uri RunUrl(string runDir) => new(Url, RunPath(RunCatalog.Relative(Root, Path.GetFullPath(runDir))));

    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task Handle(HttpContext ctx)
    {
        var req = ctx.Request;
        ctx.Response.Headers["X-Content-Type-Options"] = "nosniff";
        ctx.Response.Headers["Cache-Control"] = "no-store";
        if (!HttpMethods.IsGet(req.Method) && !HttpMethods.IsHead(req.Method))
        {
            await Text(ctx, 405, "only GET and HEAD: this server reads runs and changes nothing");
            return;
        }
        string path = req.Path.Value ?? "/";
        try
        {
            if (path == "/") await Page(ctx, IndexModel(), "/api/runs");
            else if (path == "/api/runs") await Json(ctx, IndexModel().ToJsonText(), etag: null);
            else if (path == "/compare") await Compare(ctx, json: false);
            else if (path == "/api/compare") await Compare(ctx, json: true);
            else if (path.StartsWith("/run/", StringComparison.Ordinal)) await Run(ctx, path["/run/".Length..], json: false);
            else if (path == "/run") ctx.Response.Redirect("/run/");
            else if (path.StartsWith("/api/run/", StringComparison.Ordinal)) await Run(ctx, path["/api/run/".Length..], json: true);
            else if (path.StartsWith("/files/", StringComparison.Ordinal)) await File(ctx, path["/files/".Length..]);
            else if (path.StartsWith("/assets/", StringComparison.Ordinal)) await Asset(ctx, path["/assets/".Length..]);
            else await Text(ctx, 404, $"{path}: no such page (the runs are at /)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A run's files changing under a read: this request fails, the server goes on.
            if (!ctx.Response.HasStarted) await Text(ctx, 503, $"{path}: could not be read just now ({e.Message}); try again");
        }
    }

    private ReportModel IndexModel() =>
        IndexPage.Build(Root, RunCatalog.List(Root).Select(e => (e, _cache.Get(e.Dir))).ToList());

    private async Task Run(HttpContext ctx, string relative, bool json)
    {
        relative = Uri.UnescapeDataString(relative); // the path arrives decoded but for %2F
        if (Resolve(relative) is not { } dir) { await Refuse(ctx, relative); return; }
        if (!Directory.Exists(dir) || RunFolder.Kinds(dir).Count == 0)
        {
            await Text(ctx, 404, $"{relative}: no run here (no such directory, or none of a run's files in it); the runs are listed at /");
            return;
        }
        var run = _cache.Get(dir);
        if (json)
        {
            await Json(ctx, run.Json, $"\"{run.Fingerprint}\"");
            return;
        }
        await Page(ctx, run.Model, "/api/run/" + string.Join('/', relative.TrimEnd('/').Split('/').Select(Uri.EscapeDataString)));
    }

    private async Task Compare(HttpContext ctx, bool json)
    {
        var runs = new List<(string, RunSnapshot)>();
        foreach (var relative in ctx.Request.Query["run"].Where(r => r is not null).Select(r => r!).Distinct())
        {
            if (Resolve(relative) is not { } dir) { await Refuse(ctx, relative); return; }
            if (!Directory.Exists(dir) || RunFolder.Kinds(dir).Count == 0)
            {
                await Text(ctx, 404, $"{relative}: no run here; the runs are listed at /");
                return;
            }
            runs.Add((relative.Length == 0 ? "(root)" : relative, _cache.Get(dir).Snapshot));
        }
        var model = ComparePage.Build(runs);
        if (runs.Count < 2)
            model = model with { Notes = [.. model.Notes, "tick two or more runs on the list (/) to compare them: ?run=A&run=B"] };
        if (json) await Json(ctx, model.ToJsonText(), etag: null);
        else await Page(ctx, model, "/api/compare" + ctx.Request.QueryString.Value);
    }

    private async Task File(HttpContext ctx, string relative)
    {
        relative = Uri.UnescapeDataString(relative);
        if (Resolve(relative) is not { } path) { await Refuse(ctx, relative); return; }
        if (!System.IO.File.Exists(path))
        {
            await Text(ctx, 404, $"{relative}: no such file");
            return;
        }
        ctx.Response.ContentType = Path.GetExtension(path) switch
        {
            ".csv" => "text/csv; charset=utf-8",
            ".json" => "application/json; charset=utf-8",
            ".txt" or ".md" or ".yaml" or ".yml" or ".log" => "text/plain; charset=utf-8",
            _ => "application/octet-stream", // never rendered by the browser as a page of ours (an HTML or SVG file of a run is downloaded)
        };
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        ctx.Response.ContentLength = stream.Length;
        if (!HttpMethods.IsHead(ctx.Request.Method)) await stream.CopyToAsync(ctx.Response.Body);
    }

    private static async Task Asset(HttpContext ctx, string name)
    {
        if (ReportAssets.Text(name) is not { } text)
        {
            await Text(ctx, 404, $"{name}: no such asset");
            return;
        }
        ctx.Response.Headers["Cache-Control"] = "max-age=3600";
        ctx.Response.ContentType = ReportAssets.ContentType(name);
        await ctx.Response.WriteAsync(text);
    }

    /// <param name="relative">decoded</param>
    private string? Resolve(string relative) => _paths.Resolve(relative).Path;

    private Task Refuse(HttpContext ctx, string relative) =>
        Text(ctx, 403, $"{relative}: refused ({_paths.Resolve(relative).Refusal}); only what is under the served folder is served");

    private static Task Page(HttpContext ctx, ReportModel model, string liveUrl)
    {
        ctx.Response.ContentType = "text/html; charset=utf-8";
        return ctx.Response.WriteAsync(HtmlPage.Render(model, assetBase: "/assets/", liveUrl: liveUrl, liveIntervalMs: PollMilliseconds));
    }

    private static Task Json(HttpContext ctx, string json, string? etag)
    {
        if (etag is not null)
        {
            ctx.Response.Headers.ETag = etag;
            if (ctx.Request.Headers.IfNoneMatch == etag)
            {
                ctx.Response.StatusCode = 304;
                return Task.CompletedTask;
            }
        }
        ctx.Response.ContentType = "application/json; charset=utf-8";
        return ctx.Response.WriteAsync(json, Encoding.UTF8);
    }

    private static Task Text(HttpContext ctx, int status, string message)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        return ctx.Response.WriteAsync(message + "\n");
    }
}
