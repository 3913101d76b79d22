using System.Globalization;

namespace Research.Core.Settings;

/// <summary>How a setting's value is written: decides how the CLI and the experiment file read it.</summary>
public enum SettingKind
{
    Integer,
    Number,
    /// <summary>true or false; on the CLI a flag (<c>--name</c>, or <c>--no-name</c> when it is on by default).</summary>
    Flag,
    /// <summary>One of a fixed list of words.</summary>
    Choice,
    Text,
    IntegerList,
    NumberList,
}

/// <summary>
/// One setting as both front ends see it: its experiment-file key (snake_case), its CLI option,
/// what it means, what values it takes and its default. The default is read from the owning
/// record's defaults, so it is written once, as the record property's initialiser.
/// </summary>
public abstract class Setting
{
    protected Setting(SettingInfo info, SettingKind kind, bool nullable)
    {
        Info = info;
        Kind = kind;
        Nullable = nullable;
    }

    public SettingInfo Info { get; }
    public SettingKind Kind { get; }

    /// <summary>The experiment-file key, e.g. <c>label_smoothing</c>.</summary>
    public string Key => Info.Key;

    /// <summary>The CLI option, e.g. <c>--label-smoothing</c> (a flag that is on by default is switched off by <c>--no-…</c>).</summary>
    public string Option => Info.Option ?? "--" + Key.Replace('_', '-');

    /// <summary>The option as the CLI takes it: <see cref="Option"/>, or <c>--no-…</c> for a flag that is on by default.</summary>
    public string CliOption => Kind == SettingKind.Flag && Default is true ? "--no-" + Option[2..] : Option;

    public string Description => Info.Description;

    /// <summary>Null is a value of its own (e.g. "off" or "all"); <see cref="SettingInfo.NullMeaning"/> says which.</summary>
    public bool Nullable { get; }

    public abstract object? Default { get; }

    /// <summary>The default as the documentation and the CLI help show it.</summary>
    public string DefaultText => Default is null ? Info.NullMeaning ?? "none" : Show(Default);

    /// <summary>What a value must be, e.g. "an integer >= 1", "a number in (0, 1)", "one of sgd, rmsprop, adamw".</summary>
    public string Expected
    {
        get
        {
            string range = Info.Range?.Describe() is { Length: > 0 } r ? " " + r : "";
            return Kind switch
            {
                SettingKind.Integer => "an integer" + range,
                SettingKind.Number => "a number" + range,
                SettingKind.Flag => "true or false",
                SettingKind.Choice => $"one of {string.Join(", ", Info.Choices ?? [])}",
                SettingKind.Text => Info.ValueText ?? "a non-empty string",
                SettingKind.IntegerList => "a list of integers" + range + (Info.DistinctItems ? ", each once" : ""),
                SettingKind.NumberList => "a list of numbers" + range + (Info.DistinctItems ? ", each once" : ""),
                _ => "a value",
            };
        }
    }

    /// <summary>Null when <paramref name="value"/> is allowed; otherwise what it must be (<see cref="Expected"/>).</summary>
    public string? Check(object? value)
    {
        if (value is null) return Nullable ? null : Expected;
        switch (value)
        {
            case int i when Kind == SettingKind.Integer:
                return Info.Range is null || Info.Range.Contains(i) ? null : Expected;
            case double d when Kind == SettingKind.Number:
                return double.IsFinite(d) && (Info.Range is null || Info.Range.Contains(d)) ? null : Expected;
            case bool when Kind == SettingKind.Flag:
                return null;
            case string s when Kind == SettingKind.Choice:
                return Info.Choices!.Contains(s) ? null : Expected;
            case string s when Kind == SettingKind.Text:
                return s.Length > 0 ? null : Expected;
            case int[] list when Kind == SettingKind.IntegerList:
                return CheckList(list.Select(x => (double)x).ToArray());
            case double[] list when Kind == SettingKind.NumberList:
                return CheckList(list);
            default:
                return Expected;
        }
    }

    private string? CheckList(double[] items)
    {
        if (items.Length == 0) return Expected;
        if (items.Any(x => !double.IsFinite(x) || (Info.Range is not null && !Info.Range.Contains(x)))) return Expected;
        if (Info.DistinctItems && items.Distinct().Count() != items.Length) return Expected;
        return null;
    }

    /// <summary>A value as the front ends print it: invariant, shortest round-trip numbers, lists comma-separated.</summary>
    public static string Show(object? value) => value switch
    {
        null => "none",
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        int[] list => string.Join(",", list.Select(x => x.ToString(CultureInfo.InvariantCulture))),
        double[] list => string.Join(",", list.Select(x => x.ToString("R", CultureInfo.InvariantCulture))),
        _ => value.ToString() ?? "",
    };
}

/// <summary>A setting of a record type: reads and writes its value in a record (records are immutable: a write returns a new one).</summary>
public abstract class Setting<TRecord>(SettingInfo info, SettingKind kind, bool nullable) : Setting(info, kind, nullable)
{
    public abstract object? Get(TRecord record);
    public abstract TRecord Set(TRecord record, object? value);
}

/// <summary>The descriptive part of a setting: names, meaning and allowed values.</summary>
public sealed record SettingInfo(string Key, string Description)
{
    /// <summary>The CLI option when it is not <c>--</c> + the key with dashes (e.g. <c>--dataset</c> for <c>dataset.name</c>).</summary>
    public string? Option { get; init; }
    public SettingRange? Range { get; init; }
    public IReadOnlyList<string>? Choices { get; init; }
    public bool DistinctItems { get; init; }
    /// <summary>What a text setting takes, when more is known than "a non-empty string" (e.g. "auto, cpu, cuda or cuda:N").</summary>
    public string? ValueText { get; init; }
    /// <summary>A number list that also takes integer ranges, low-high ("0-7" is 0, 1, …, 7).</summary>
    public bool IntegerRanges { get; init; }
    /// <summary>What null means for a nullable setting ("off", "all", "automatic").</summary>
    public string? NullMeaning { get; init; }
    /// <summary>
    /// Null is left out of the written record (and so of a run's hash): a setting added later keeps the
    /// run directories of files that do not name it.
    /// </summary>
    public bool LeftOutWhenNull { get; init; }
}

/// <summary>An interval of allowed numbers; either end may be open or absent.</summary>
public sealed record SettingRange(double? Min = null, double? Max = null, bool MinExclusive = false, bool MaxExclusive = false)
{
    public bool Contains(double v) =>
        (Min is not { } lo || (MinExclusive ? v > lo : v >= lo)) && (Max is not { } hi || (MaxExclusive ? v < hi : v <= hi));

    public string Describe()
    {
        static string Invariant(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        return (Min, Max) switch
        {
            (null, null) => "",
            ({ } lo, null) => MinExclusive ? $"> {Invariant(lo)}" : $">= {Invariant(lo)}",
            (null, { } hi) => MaxExclusive ? $"< {Invariant(hi)}" : $"<= {Invariant(hi)}",
            ({ } lo, { } hi) => $"in {(MinExclusive ? "(" : "[")}{Invariant(lo)}, {Invariant(hi)}{(MaxExclusive ? ")" : "]")}",
        };
    }
}
