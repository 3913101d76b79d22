using System.Globalization;

namespace Research.Models.LatencyTables;

/// <summary>
/// What one latency-table entry is: a part of a network (a block as its spec text, a cell op, a cell's preprocessing, a
/// stem, a head), the structure of the module that computes it (a short hash of its submodules' types and parameter shapes,
/// so two parts with the same text but another module, e.g. a block's first and later repeats, stay apart), and its input's
/// channels, height and width. Nothing here knows a block kind: a new kind's parts are keyed the same way.
/// </summary>
public sealed record LatencyKey(string Op, string Structure, int Channels, int Height, int Width)
{
    public string Shape => string.Create(CultureInfo.InvariantCulture, $"{Channels}x{Height}x{Width}");

    public override string ToString() => $"{Op} at {Shape} (structure {Structure})";
}

/// <summary>
/// A key and how many times a network computes it; <paramref name="Group"/> is the cell op's definition for a cell op's part
/// ("" otherwise): a table calibrated per cell op scales the part by that op's factor.
/// </summary>
public sealed record LatencyPartCount(LatencyKey Key, int Count, string Group = "");
