using System.Globalization;

namespace Research.Core.Settings;

/// <summary>
/// A setting's value from text, as a command line writes it (and a YAML scalar where a list is
/// written inline): numbers invariant, lists comma-separated, integer ranges low-high where the
/// setting takes them. Errors are <see cref="FormatException"/>s saying what the text must be.
/// </summary>
public static class SettingText
{
    public static object? Parse(Setting setting, string text)
    {
        var t = text.Trim();
        if (setting.Nullable && t is "none" or "null" or "") return null;
        return setting.Kind switch
        {
            SettingKind.Integer => int.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) ? i : throw Bad(setting, text),
            SettingKind.Number => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw Bad(setting, text),
            SettingKind.Flag => t is "true" ? true : t is "false" ? false : throw Bad(setting, text),
            SettingKind.Choice or SettingKind.Text => t,
            SettingKind.IntegerList => t.Split(',').Select(x => int.TryParse(x.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
                ? v : throw Bad(setting, text)).ToArray(),
            SettingKind.NumberList => NumberList(setting, t),
            _ => throw Bad(setting, text),
        };
    }

    private static double[] NumberList(Setting setting, string text)
    {
        var values = new List<double>();
        foreach (var part in text.Split(','))
        {
            var p = part.Trim();
            int dash = p.Length > 1 ? p.IndexOf('-', 1) : -1;
            if (setting.Info.IntegerRanges && dash > 0)
            {
                if (!int.TryParse(p[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var low) ||
                    !int.TryParse(p[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var high) || high < low)
                    throw new FormatException($"'{text}': a range is two non-negative integers, low-high");
                for (int v = low; v <= high; v++) values.Add(v);
            }
            else if (double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) values.Add(d);
            else throw Bad(setting, text);
        }
        return values.ToArray();
    }

    private static FormatException Bad(Setting setting, string text) => new($"'{text}' is not {setting.Expected}");
}
