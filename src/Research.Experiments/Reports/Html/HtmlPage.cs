using System.Net;
using System.Text;

namespace Research.Experiments.Reports.Html;

/// <summary>
/// A whole page around a <see cref="ReportModel"/>: the model as JSON, plotly.js and report.js
/// that draw it. Self-contained (<c>assetBase</c> null: every asset written into the page, so
/// report.html opens offline; its Content-Security-Policy lets it load nothing from anywhere), or
/// referring to the server's /assets/ and polling <c>liveUrl</c> for a new model.
/// </summary>
public static class HtmlPage
{
    public static string Render(ReportModel model, string? assetBase = null, string? liveUrl = null, int liveIntervalMs = 1000)
    {
        bool inline = assetBase is null;
        // 'unsafe-eval': plotly.js builds a few functions at run time; connect-src: only the live view's own server.
        string csp = $"default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'{(inline ? "" : " 'self'")}; style-src 'unsafe-inline'{(inline ? "" : " 'self'")}; " +
                     $"img-src data: blob:; font-src data:; connect-src {(liveUrl is null ? "'none'" : "'self'")}";
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        sb.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"").Append(WebUtility.HtmlEncode(csp)).Append("\">\n");
        sb.Append("<meta name=\"generator\" content=\"research report\">\n");
        sb.Append("<title>").Append(WebUtility.HtmlEncode(model.Title)).Append("</title>\n");
        if (inline) sb.Append("<style>\n").Append(ReportAssets.Text(ReportAssets.ReportCss)).Append("</style>\n");
        else sb.Append("<link rel=\"stylesheet\" href=\"").Append(assetBase).Append(ReportAssets.ReportCss).Append("\">\n");
        sb.Append("</head>\n<body");
        if (liveUrl is not null)
            sb.Append(" data-live=\"").Append(WebUtility.HtmlEncode(liveUrl)).Append("\" data-interval=\"").Append(liveIntervalMs.ToString(CultureInfo.InvariantCulture)).Append('"');
        sb.Append(">\n<header><h1 id=\"title\"></h1><p id=\"subtitle\"></p><p id=\"state\" class=\"state\"></p><p id=\"live\" class=\"live\"></p></header>\n");
        sb.Append("<nav id=\"toc\"></nav>\n<div id=\"notes\"></div>\n<main id=\"sections\"></main>\n");
        sb.Append("<footer>research report, ").Append(DateTimeOffset.UtcNow.ToString("u", CultureInfo.InvariantCulture))
          .Append(". Charts: plotly.js 4.1.1 (MIT, © Plotly, Inc.).</footer>\n");
        sb.Append("<script type=\"application/json\" id=\"report-data\">").Append(model.ToJsonText()).Append("</script>\n");
        Script(sb, ReportAssets.PlotlyJs, assetBase);
        Script(sb, ReportAssets.ReportJs, assetBase);
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    private static void Script(StringBuilder sb, string name, string? assetBase)
    {
        if (assetBase is not null)
        {
            sb.Append("<script src=\"").Append(assetBase).Append(name).Append("\"></script>\n");
            return;
        }
        // A script element ends at the first "</script": none may occur inside (plotly.js has none; checked anyway).
        var text = ReportAssets.Text(name)!.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);
        sb.Append("<script>\n").Append(text).Append("\n</script>\n");
    }
}
