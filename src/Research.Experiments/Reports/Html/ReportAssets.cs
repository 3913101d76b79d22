using System.Reflection;

namespace Research.Experiments.Reports.Html;

/// <summary>
/// The files a report page needs, embedded in this assembly (Assets/, with plotly.js's licence):
/// written into report.html, or served by `research serve` under /assets/.
/// </summary>
public static class ReportAssets
{
    public const string PlotlyJs = "plotly-cartesian.min.js";
    public const string PlotlyLicense = "plotly-cartesian.LICENSE.txt";
    public const string ReportJs = "report.js";
    public const string ReportCss = "report.css";

    public static readonly IReadOnlyList<string> Names = [PlotlyJs, PlotlyLicense, ReportJs, ReportCss];

    private static readonly Dictionary<string, string> Cache = new(StringComparer.Ordinal);

    /// <summary>An asset's text (null for a name that is not one).</summary>
    public static string? Text(string name)
    {
        if (!Names.Contains(name)) return null;
        lock (Cache)
        {
            if (Cache.TryGetValue(name, out var text)) return text;
            using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"ReportAssets/{name}")
                               ?? throw new InvalidOperationException($"the report asset {name} is not embedded in {Assembly.GetExecutingAssembly().GetName().Name}");
            text = new StreamReader(stream).ReadToEnd();
            Cache[name] = text;
            return text;
        }
    }

    public static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        _ => "text/plain; charset=utf-8",
    };
}
