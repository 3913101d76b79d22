using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Research.Experiments.Reports.Html;

/// <summary>
/// One piece of a page: a fragment of HTML (a table, a cell drawing, a list) or a plotly.js figure
/// (its data and layout as plotly.js takes them), with a title and a caption.
/// </summary>
public sealed record ReportBlock(string Id, string? Title = null, string? Html = null, JsonObject? Figure = null, string? Caption = null)
{
    public static ReportBlock Chart(string id, string title, JsonObject figure, string? caption = null) => new(id, title, Figure: figure, Caption: caption);
    public static ReportBlock Fragment(string id, string? title, string html, string? caption = null) => new(id, title, Html: html, Caption: caption);
}

public sealed record ReportSection(string Id, string Title, IReadOnlyList<ReportBlock> Blocks);

/// <summary>
/// What a page shows, as data: report.html embeds it, the live view fetches it again when the run
/// changes, and report.js draws it the same way in both (each block carries a key, a hash of its
/// content, so an update redraws only the blocks that changed).
/// </summary>
public sealed record ReportModel(string Title, string? Subtitle, RunState? State, IReadOnlyList<string> Notes, IReadOnlyList<ReportSection> Sections)
{
    public JsonObject ToJson() => new()
    {
        ["title"] = Title,
        ["subtitle"] = Subtitle,
        ["state"] = State is null ? null : new JsonObject { ["state"] = State.State, ["text"] = State.Text },
        ["notes"] = new JsonArray(Notes.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray()),
        ["sections"] = new JsonArray(Sections.Select(s => (JsonNode?)new JsonObject
        {
            ["id"] = s.Id,
            ["title"] = s.Title,
            ["blocks"] = new JsonArray(s.Blocks.Select(b => (JsonNode?)Block(b)).ToArray()),
        }).ToArray()),
    };

    private static JsonObject Block(ReportBlock b)
    {
        var o = new JsonObject
        {
            ["id"] = b.Id, ["title"] = b.Title, ["html"] = b.Html, ["figure"] = b.Figure?.DeepClone(), ["caption"] = b.Caption,
        };
        o["key"] = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(o.ToJsonString())), 0, 8);
        return o;
    }

    /// <summary>The JSON text, safe inside a &lt;script&gt; element (&lt;, &gt; and &amp; are escaped).</summary>
    public string ToJsonText() => ToJson().ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default });
}
