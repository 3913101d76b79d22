using System.Net;
using System.Text.Json.Nodes;

namespace Research.Experiments.Reports.Html;

/// <summary>
/// plotly.js figures as the JSON it takes (<c>{data: [traces], layout}</c>); plotly.js draws them
/// in the browser. Only the few trace and layout attributes the report uses, named as plotly.js
/// names them (https://plotly.com/javascript/reference/). Text that came from files is
/// HTML-encoded, since plotly.js reads a subset of HTML in labels.
/// </summary>
public static class PlotlyJson
{
    /// <summary>plotly.js's own colour cycle (D3's category10), so that a run keeps one colour across figures.</summary>
    public static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    public static string Color(int i) => Palette[((i % Palette.Length) + Palette.Length) % Palette.Length];

    public static JsonObject Figure(IEnumerable<JsonObject> traces, JsonObject layout) => new()
    {
        ["data"] = new JsonArray(traces.Select(t => (JsonNode?)t).ToArray()),
        ["layout"] = layout,
    };

    public static JsonObject Layout(string? xTitle, string? yTitle, int height = 360, bool logX = false, bool legend = true)
    {
        var layout = new JsonObject
        {
            ["height"] = height,
            ["margin"] = new JsonObject { ["l"] = 60, ["r"] = 20, ["t"] = 20, ["b"] = 50 },
            ["hovermode"] = "closest",
            ["showlegend"] = legend,
            ["legend"] = new JsonObject { ["orientation"] = "h", ["y"] = -0.2 },
            ["xaxis"] = Axis(xTitle, logX),
            ["yaxis"] = Axis(yTitle),
        };
        if (legend) ((JsonObject)layout["margin"]!)["b"] = 90;
        return layout;
    }

    public static JsonObject Axis(string? title, bool log = false)
    {
        var a = new JsonObject { ["automargin"] = true, ["zeroline"] = false };
        if (title is not null) a["title"] = new JsonObject { ["text"] = title };
        if (log) a["type"] = "log";
        return a;
    }

    /// <summary>A scatter trace; null y values leave gaps.</summary>
    public static JsonObject Scatter(string name, IEnumerable<double> x, IEnumerable<double?> y, string mode = "lines+markers", string? color = null,
        string dash = "solid", IEnumerable<string>? text = null, string? group = null, bool showLegend = true)
    {
        var t = new JsonObject
        {
            ["type"] = "scatter",
            ["mode"] = mode,
            ["name"] = Text(name),
            ["x"] = Numbers(x.Select(v => (double?)v)),
            ["y"] = Numbers(y),
            ["showlegend"] = showLegend,
            ["line"] = new JsonObject { ["dash"] = dash, ["width"] = 2 },
        };
        if (color is not null)
        {
            ((JsonObject)t["line"]!)["color"] = color;
            t["marker"] = new JsonObject { ["color"] = color };
        }
        if (text is not null) t["text"] = Strings(text);
        if (group is not null) t["legendgroup"] = group;
        return t;
    }

    public static JsonArray Numbers(IEnumerable<double?> values) =>
        new(values.Select(v => v is { } d && double.IsFinite(d) ? (JsonNode?)JsonValue.Create(d) : null).ToArray());

    public static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(Text(v))).ToArray());

    /// <summary>Text for a label or hover: encoded, so a name cannot become markup.</summary>
    public static string Text(string s) => WebUtility.HtmlEncode(s);

    /// <summary>A title above a subplot (<paramref name="axis"/>: "" for the first, "2", "3", …).</summary>
    public static JsonObject SubplotTitle(string axis, string html) => new()
    {
        ["text"] = html, ["showarrow"] = false, ["xref"] = $"x{axis} domain", ["yref"] = $"y{axis} domain", ["x"] = 0.5, ["y"] = 1.0,
        ["xanchor"] = "center", ["yanchor"] = "bottom", ["font"] = new JsonObject { ["size"] = 11 },
    };
}
