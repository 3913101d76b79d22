using System.Globalization;
using Research.Core.Settings;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Research.Core.Yaml;

/// <summary>
/// Reads YAML nodes into typed values and collects every problem, each as
/// <c>FILE:LINE: key.path: what is wrong (allowed: ...)</c>, instead of stopping at the first.
/// A getter returns null when its value is missing or wrong (the error is recorded).
/// </summary>
public sealed class YamlChecker(string file)
{
    private readonly List<(int Line, int Column, string Text)> _errors = new();

    public string File { get; } = file;

    public IReadOnlyList<string> Errors => _errors.OrderBy(e => e.Line).ThenBy(e => e.Column).Select(e => e.Text).Distinct().ToList();

    public bool HasErrors => _errors.Count > 0;

    public void Error(YamlNode node, string path, string what) => Error(node.Start, path, what);

    public void Error(Mark at, string path, string what) =>
        _errors.Add(((int)at.Line, (int)at.Column, $"{File}:{at.Line}: {path}: {what}"));

    public static string Allowed(IEnumerable<string> allowed) => $"(allowed: {string.Join(", ", allowed)})";

    public static bool IsNull(YamlNode n) =>
        n is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s && s.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static bool IsQuoted(YamlScalarNode s) => s.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted;

    private static string Show(YamlNode n) => n switch
    {
        YamlScalarNode s => $"'{s.Value}'",
        YamlSequenceNode { Children.Count: 0 } => "an empty list",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => "something else",
    };

    /// <summary>
    /// A mapping with only allowed keys (each unknown or repeated key is an error). A null value is
    /// an empty mapping when <paramref name="nullIsEmpty"/> (e.g. <c>report:</c> with nothing under it).
    /// </summary>
    public YamlMap? Map(YamlNode node, string path, IReadOnlyList<string> allowed, bool nullIsEmpty = false)
    {
        if (nullIsEmpty && IsNull(node)) return new YamlMap(this, path, node.Start, new Dictionary<string, (YamlNode, YamlNode)>());
        if (node is not YamlMappingNode m)
        {
            Error(node, path, $"must be a mapping, got {Show(node)}");
            return null;
        }
        var entries = new Dictionary<string, (YamlNode Key, YamlNode Value)>(StringComparer.Ordinal);
        foreach (var (k, v) in m.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            var keyPath = path.Length == 0 ? name : $"{path}.{name}";
            if (!allowed.Contains(name)) Error(k, keyPath, $"unknown key {Allowed(allowed)}");
            else if (!entries.TryAdd(name, (k, v))) Error(k, keyPath, "given twice");
        }
        return new YamlMap(this, path, m.Start, entries);
    }

    public string? String(YamlNode n, string path)
    {
        if (n is YamlScalarNode { Value: { Length: > 0 } v } && !IsNull(n)) return v;
        Error(n, path, $"must be a non-empty string, got {(IsNull(n) ? "nothing" : Show(n))}");
        return null;
    }

    public string? Choice(YamlNode n, string path, IReadOnlyList<string> allowed)
    {
        if (n is YamlScalarNode { Value: { } v } && allowed.Contains(v)) return v;
        Error(n, path, $"must be one of the allowed values, got {Show(n)} {Allowed(allowed)}");
        return null;
    }

    public bool? Bool(YamlNode n, string path)
    {
        if (n is YamlScalarNode s && !IsQuoted(s) && s.Value is { } v)
        {
            if (v is "true" or "True" or "TRUE") return true;
            if (v is "false" or "False" or "FALSE") return false;
        }
        Error(n, path, $"must be true or false, got {Show(n)}");
        return null;
    }

    public int? Int(YamlNode n, string path, long min = int.MinValue, long max = int.MaxValue)
    {
        if (n is YamlScalarNode s && !IsQuoted(s) && long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
        {
            if (v >= min && v <= max) return (int)v;
            Error(n, path, $"{v} is out of range: must be an integer {Range(min, max)}");
            return null;
        }
        Error(n, path, $"must be an integer {Range(min, max)}, got {Show(n)}");
        return null;
    }

    /// <summary>A finite number in the interval; <paramref name="lowOpen"/>/<paramref name="highOpen"/> exclude the ends.</summary>
    public double? Number(YamlNode n, string path, double min = double.NegativeInfinity, double max = double.PositiveInfinity, bool lowOpen = false,
        bool highOpen = false)
    {
        string range = Interval(min, max, lowOpen, highOpen);
        if (n is YamlScalarNode s && !IsQuoted(s) && double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v))
        {
            bool ok = (lowOpen ? v > min : v >= min) && (highOpen ? v < max : v <= max);
            if (ok) return v;
            Error(n, path, $"{s.Value} is out of range: must be a number {range}");
            return null;
        }
        Error(n, path, $"must be a number {range}, got {Show(n)}");
        return null;
    }

    /// <summary>A list of integers (a single integer counts as a list of one).</summary>
    public int[]? IntList(YamlNode n, string path, long min = int.MinValue, bool distinct = false)
    {
        var items = n is YamlSequenceNode seq ? seq.Children.ToList() : n is YamlScalarNode && !IsNull(n) ? [n] : null;
        if (items is null || items.Count == 0)
        {
            Error(n, path, $"must be a non-empty list of integers, got {(IsNull(n) ? "nothing" : Show(n))}");
            return null;
        }
        var values = new List<int>();
        bool ok = true;
        for (int i = 0; i < items.Count; i++)
            if (Int(items[i], $"{path}[{i}]", min) is { } v) values.Add(v);
            else ok = false;
        if (!ok) return null;
        if (distinct && values.GroupBy(v => v).FirstOrDefault(g => g.Count() > 1) is { } repeated)
        {
            Error(n, path, $"must list distinct values ({repeated.Key} is listed {(repeated.Count() == 2 ? "twice" : $"{repeated.Count()} times")})");
            return null;
        }
        return values.ToArray();
    }

    /// <summary>A list of numbers (a single number counts as a list of one).</summary>
    public double[]? NumberList(YamlNode n, string path, double min = double.NegativeInfinity, bool lowOpen = false)
    {
        var items = n is YamlSequenceNode seq ? seq.Children.ToList() : n is YamlScalarNode && !IsNull(n) ? [n] : null;
        if (items is null || items.Count == 0)
        {
            Error(n, path, $"must be a non-empty list of numbers, got {(IsNull(n) ? "nothing" : Show(n))}");
            return null;
        }
        var values = new List<double>();
        bool ok = true;
        for (int i = 0; i < items.Count; i++)
            if (Number(items[i], $"{path}[{i}]", min, lowOpen: lowOpen) is { } v) values.Add(v);
            else ok = false;
        return ok ? values.ToArray() : null;
    }

    /// <summary>Parses one document whose root must be a mapping; a syntax error or another root is recorded and null returned.</summary>
    public YamlMappingNode? LoadRoot(string text, string expected)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            _errors.Add(((int)e.Start.Line, (int)e.Start.Column, $"{File}:{e.Start.Line}: invalid YAML: {e.Message}"));
            return null;
        }
        // YamlDotNet's scanner and node loader meet some malformed text with these instead of a YamlException
        // (fuzzing: "Operation is not valid due to the current state of the object" from ScanPlainScalar,
        // "The current event is of an unsupported type" from YamlNode.ParseNode); Load is the only call here,
        // so these are YamlDotNet's, and the text is still invalid YAML.
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            _errors.Add((1, 0, $"{File}: invalid YAML: {e.Message}"));
            return null;
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            _errors.Add((1, 0, $"{File}:1: the file must hold one mapping ({expected})"));
            return null;
        }
        return root;
    }

    /// <summary>
    /// A setting's value, parsed by its kind and checked against its own range or choices, so the
    /// file and the CLI accept the same values. <paramref name="ok"/> is false when an error was recorded.
    /// </summary>
    public object? Value(YamlNode n, string path, Setting setting, out bool ok)
    {
        ok = true;
        if (IsNull(n) && setting.Nullable) return null;
        // A list written as one scalar ("0-7", "1,2,3") reads as the CLI would read it.
        if (setting.Kind is SettingKind.IntegerList or SettingKind.NumberList && n is YamlScalarNode { Value: { } text } scalar && !IsQuoted(scalar) &&
            (text.Contains(',') || (setting.Info.IntegerRanges && text.Length > 1 && text.IndexOf('-', 1) > 0)))
        {
            try
            {
                var parsed = SettingText.Parse(setting, text);
                if (setting.Check(parsed) is { } problem)
                {
                    Error(n, path, $"must be {problem}, got {Show(n)}");
                    ok = false;
                    return null;
                }
                return parsed;
            }
            catch (FormatException e)
            {
                Error(n, path, e.Message);
                ok = false;
                return null;
            }
        }
        object? value = setting.Kind switch
        {
            SettingKind.Integer => n is YamlScalarNode s && !IsQuoted(s) && long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
                ? l is >= int.MinValue and <= int.MaxValue ? (int)l : TypeError(n, path, setting)
                : TypeError(n, path, setting),
            SettingKind.Number => n is YamlScalarNode s && !IsQuoted(s) && double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
                ? d : TypeError(n, path, setting),
            SettingKind.Flag => Bool(n, path),
            SettingKind.Choice => Choice(n, path, setting.Info.Choices!),
            SettingKind.Text => String(n, path),
            SettingKind.IntegerList => Items(n, path, setting, item => item is YamlScalarNode s && !IsQuoted(s) &&
                int.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) ? i : null)?.Select(x => (int)x!).ToArray(),
            SettingKind.NumberList => Items(n, path, setting, item => item is YamlScalarNode s && !IsQuoted(s) &&
                double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null)?.Select(x => (double)x!).ToArray(),
            _ => null,
        };
        if (value is null)
        {
            ok = false;
            return null;
        }
        if (setting.Check(value) is { } expected)
        {
            Error(n, path, setting.Kind is SettingKind.IntegerList or SettingKind.NumberList
                ? $"must be {expected}, got {Show(n)}"
                : $"{Setting.Show(value)} is out of range: must be {expected}");
            ok = false;
            return null;
        }
        return value;
    }

    private object? TypeError(YamlNode n, string path, Setting setting)
    {
        Error(n, path, $"must be {setting.Expected}, got {(IsNull(n) ? "nothing" : Show(n))}");
        return null;
    }

    /// <summary>A list's items parsed one by one (a single scalar counts as a list of one).</summary>
    private List<object>? Items(YamlNode n, string path, Setting setting, Func<YamlNode, object?> parse)
    {
        var items = n is YamlSequenceNode seq ? seq.Children.ToList() : n is YamlScalarNode && !IsNull(n) ? [n] : null;
        if (items is null || items.Count == 0)
        {
            TypeError(n, path, setting);
            return null;
        }
        var values = new List<object>();
        bool ok = true;
        for (int i = 0; i < items.Count; i++)
            if (parse(items[i]) is { } v) values.Add(v);
            else
            {
                Error(items[i], $"{path}[{i}]", $"must be {(setting.Kind == SettingKind.IntegerList ? "an integer" : "a number")}, got {Show(items[i])}");
                ok = false;
            }
        return ok ? values : null;
    }

    private static string Range(long min, long max) =>
        min == int.MinValue && max == int.MaxValue ? "" : max == int.MaxValue ? $">= {min}" : min == int.MinValue ? $"<= {max}" : $"in [{min}, {max}]";

    private static string Interval(double min, double max, bool lowOpen, bool highOpen)
    {
        var range = new SettingRange(double.IsNegativeInfinity(min) ? null : min, double.IsPositiveInfinity(max) ? null : max, lowOpen, highOpen);
        return range.Describe();
    }
}
