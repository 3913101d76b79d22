using System.Globalization;

namespace Research.Core.Text;

/// <summary>
/// Numbers as files and figure lines write them: invariant culture always, the shortest text
/// that reads back to the same double for data (CSV, JSON-like text), fixed digits for figures.
/// A missing value (null) is the empty string, as CSV cells leave it.
/// </summary>
public static class Numbers
{
    public static string RoundTrip(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string RoundTrip(double? value) => value is { } v ? RoundTrip(v) : "";

    public static string Fixed(double value, int digits) => value.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static string Fixed(double? value, int digits) => value is { } v ? Fixed(v, digits) : "";

    public static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Integer(long? value) => value is { } v ? Integer(v) : "";

    /// <summary>Parses invariant text (e.g. a CSV cell); throws <see cref="FormatException"/> naming what it read.</summary>
    public static double ParseDouble(string text, string what) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"{what}: '{text}' is not a number");
}
