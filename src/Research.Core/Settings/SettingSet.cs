using System.Collections;

namespace Research.Core.Settings;

/// <summary>
/// The settings of one record type, in the order the front ends list them, with the record's
/// defaults and the rules that tie settings together (e.g. warmup within the epochs). The record
/// that owns a setting declares it here once: the CLI options, the experiment-file keys, the
/// documentation tables and the validation all come from this list.
/// </summary>
public sealed class SettingSet<TRecord> : IReadOnlyList<Setting<TRecord>>
{
    private readonly List<Setting<TRecord>> _settings = [];
    private readonly List<Func<TRecord, SettingProblem?>> _rules = [];

    /// <param name="defaults">the record with every default (usually <c>new TRecord()</c>)</param>
    /// <param name="title">what the settings are of, for documentation ("training recipe")</param>
    public SettingSet(TRecord defaults, string title)
    {
        Defaults = defaults;
        Title = title;
    }

    public TRecord Defaults { get; }
    public string Title { get; }
    public int Count => _settings.Count;
    public Setting<TRecord> this[int index] => _settings[index];
    public IEnumerator<Setting<TRecord>> GetEnumerator() => _settings.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public IEnumerable<string> Keys => _settings.Select(s => s.Key);

    public Setting<TRecord>? Find(string key) => _settings.FirstOrDefault(s => s.Key == key);

    public Setting<TRecord> Get(string key) =>
        Find(key) ?? throw new ArgumentException($"{Title}: no setting '{key}' (known: {string.Join(", ", Keys)})");

    private SettingSet<TRecord> Add(Setting<TRecord> setting)
    {
        // A static list declared below the table it feeds would still be null here.
        if (setting.Kind == SettingKind.Choice && setting.Info.Choices is null)
            throw new ArgumentNullException(nameof(setting), $"{Title}: setting '{setting.Key}' has no list of choices (declare it above the table)");
        if (Find(setting.Key) is not null) throw new ArgumentException($"{Title}: setting '{setting.Key}' is declared twice");
        _settings.Add(setting);
        return this;
    }

    public SettingSet<TRecord> Integer(string key, string description, Func<TRecord, int> get, Func<TRecord, int, TRecord> set, int? min = null,
        int? max = null, string? option = null) =>
        Add(new Typed<int>(new SettingInfo(key, description) { Option = option, Range = Range(min, max) }, SettingKind.Integer, false, Defaults, get, set));

    public SettingSet<TRecord> OptionalInteger(string key, string description, string nullMeaning, Func<TRecord, int?> get, Func<TRecord, int?, TRecord> set,
        int? min = null, int? max = null, string? option = null) =>
        Add(new Typed<int?>(new SettingInfo(key, description) { Option = option, Range = Range(min, max), NullMeaning = nullMeaning }, SettingKind.Integer, true,
            Defaults, get, set));

    public SettingSet<TRecord> Number(string key, string description, Func<TRecord, double> get, Func<TRecord, double, TRecord> set, SettingRange? range = null,
        string? option = null) =>
        Add(new Typed<double>(new SettingInfo(key, description) { Option = option, Range = range }, SettingKind.Number, false, Defaults, get, set));

    public SettingSet<TRecord> OptionalNumber(string key, string description, string nullMeaning, Func<TRecord, double?> get,
        Func<TRecord, double?, TRecord> set, SettingRange? range = null, string? option = null) =>
        Add(new Typed<double?>(new SettingInfo(key, description) { Option = option, Range = range, NullMeaning = nullMeaning }, SettingKind.Number, true,
            Defaults, get, set));

    public SettingSet<TRecord> Flag(string key, string description, Func<TRecord, bool> get, Func<TRecord, bool, TRecord> set, string? option = null) =>
        Add(new Typed<bool>(new SettingInfo(key, description) { Option = option }, SettingKind.Flag, false, Defaults, get, set));

    public SettingSet<TRecord> Choice(string key, string description, IReadOnlyList<string> choices, Func<TRecord, string> get,
        Func<TRecord, string, TRecord> set, string? option = null) =>
        Add(new Typed<string>(new SettingInfo(key, description) { Option = option, Choices = choices }, SettingKind.Choice, false, Defaults, get, set));

    /// <param name="leftOutWhenNull">see <see cref="SettingInfo.LeftOutWhenNull"/></param>
    public SettingSet<TRecord> OptionalChoice(string key, string description, string nullMeaning, IReadOnlyList<string> choices, Func<TRecord, string?> get,
        Func<TRecord, string?, TRecord> set, string? option = null, bool leftOutWhenNull = false) =>
        Add(new Typed<string?>(new SettingInfo(key, description) { Option = option, Choices = choices, NullMeaning = nullMeaning, LeftOutWhenNull = leftOutWhenNull },
            SettingKind.Choice, true, Defaults, get, set));

    /// <param name="valueText">what the text must be, for messages and documentation (a rule checks it)</param>
    public SettingSet<TRecord> Text(string key, string description, Func<TRecord, string> get, Func<TRecord, string, TRecord> set, string? option = null,
        string? valueText = null) =>
        Add(new Typed<string>(new SettingInfo(key, description) { Option = option, ValueText = valueText }, SettingKind.Text, false, Defaults, get, set));

    public SettingSet<TRecord> OptionalText(string key, string description, string nullMeaning, Func<TRecord, string?> get, Func<TRecord, string?, TRecord> set,
        string? option = null, string? valueText = null) =>
        Add(new Typed<string?>(new SettingInfo(key, description) { Option = option, NullMeaning = nullMeaning, ValueText = valueText }, SettingKind.Text, true,
            Defaults, get, set));

    public SettingSet<TRecord> IntegerList(string key, string description, Func<TRecord, int[]> get, Func<TRecord, int[], TRecord> set, int? min = null,
        bool distinct = false, string? option = null) =>
        Add(new Typed<int[]>(new SettingInfo(key, description) { Option = option, Range = Range(min, null), DistinctItems = distinct }, SettingKind.IntegerList,
            false, Defaults, get, set));

    public SettingSet<TRecord> NumberList(string key, string description, Func<TRecord, double[]> get, Func<TRecord, double[], TRecord> set,
        SettingRange? range = null, bool distinct = false, string? option = null) =>
        Add(new Typed<double[]>(new SettingInfo(key, description) { Option = option, Range = range, DistinctItems = distinct }, SettingKind.NumberList, false,
            Defaults, get, set));

    /// <param name="integerRanges">also take integer ranges written low-high ("0-7")</param>
    public SettingSet<TRecord> OptionalNumberList(string key, string description, string nullMeaning, Func<TRecord, double[]?> get,
        Func<TRecord, double[]?, TRecord> set, SettingRange? range = null, bool distinct = false, bool integerRanges = false, string? option = null) =>
        Add(new Typed<double[]?>(
            new SettingInfo(key, description)
            {
                Option = option, Range = range, DistinctItems = distinct, NullMeaning = nullMeaning, IntegerRanges = integerRanges,
            }, SettingKind.NumberList, true, Defaults, get, set));

    /// <summary>
    /// The settings of a part of the record (e.g. a search's training recipe), keeping their names;
    /// their defaults are the part's values in this record's defaults. <paramref name="only"/> limits them to some keys.
    /// </summary>
    public SettingSet<TRecord> Include<TPart>(SettingSet<TPart> part, Func<TRecord, TPart> get, Func<TRecord, TPart, TRecord> set, params string[] only) =>
        Include(part, get, set, only, renames: null);

    /// <summary>As above, with some keys renamed here (e.g. a random baseline's <c>count</c> as <c>random_baseline</c>).</summary>
    public SettingSet<TRecord> Include<TPart>(SettingSet<TPart> part, Func<TRecord, TPart> get, Func<TRecord, TPart, TRecord> set, string[] only,
        IReadOnlyDictionary<string, string>? renames)
    {
        foreach (var key in only.Concat(renames?.Keys ?? []))
            if (part.Find(key) is null) throw new ArgumentException($"{Title}: {part.Title} has no setting '{key}'");
        string Renamed(string key) => renames is not null && renames.TryGetValue(key, out var to) ? to : key;
        bool Taken(string key) => only.Length == 0 || only.Contains(key);
        foreach (var s in part.Where(s => Taken(s.Key))) Add(new Part<TPart>(s, Renamed(s.Key), Defaults, get, set));
        foreach (var rule in part._rules)
            _rules.Add(r => rule(get(r)) is { } p && Taken(p.Key) ? p with { Key = Renamed(p.Key) } : null);
        return this;
    }

    /// <summary>A rule across settings: returns the problem (naming the setting it reports on) or null.</summary>
    public SettingSet<TRecord> Rule(Func<TRecord, SettingProblem?> rule)
    {
        _rules.Add(rule);
        return this;
    }

    /// <summary>Every value that is not allowed and every broken rule, in declaration order.</summary>
    public IReadOnlyList<SettingProblem> Problems(TRecord record)
    {
        var problems = new List<SettingProblem>();
        foreach (var s in _settings)
        {
            var value = s.Get(record);
            if (s.Check(value) is { } expected) problems.Add(new SettingProblem(s.Key, Setting.Show(value), expected));
        }
        foreach (var rule in _rules)
            if (rule(record) is { } p && !problems.Any(x => x.Key == p.Key)) problems.Add(p);
        return problems;
    }

    /// <summary>
    /// The record when every value is allowed; otherwise an <see cref="ArgumentException"/> listing every
    /// problem, each named by its key ("epochs 0: must be an integer >= 1"); the front ends name their own
    /// spelling of it (the CLI's options, the experiment file's lines) when they bind.
    /// </summary>
    public TRecord Validate(TRecord record)
    {
        var problems = Problems(record);
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems.Select(p => $"{p.Key} {p.Value}: {p.What}")));
        return record;
    }

    /// <summary>The record's values by key, in declaration order (documentation, canonical JSON).</summary>
    public IEnumerable<(string Key, object? Value)> Values(TRecord record) => _settings.Select(s => (s.Key, s.Get(record)));

    private static SettingRange? Range(int? min, int? max) => min is null && max is null ? null : new SettingRange(min, max);

    private sealed class Typed<TValue>(SettingInfo info, SettingKind kind, bool nullable, TRecord defaults, Func<TRecord, TValue> get,
        Func<TRecord, TValue, TRecord> set) : Setting<TRecord>(info, kind, nullable)
    {
        public override object? Default => get(defaults);
        public override object? Get(TRecord record) => get(record);
        public override TRecord Set(TRecord record, object? value) => set(record, (TValue)value!);
    }

    /// <summary>A part's setting seen through this record.</summary>
    private sealed class Part<TPart>(Setting<TPart> inner, string key, TRecord defaults, Func<TRecord, TPart> get, Func<TRecord, TPart, TRecord> set)
        : Setting<TRecord>(key == inner.Key ? inner.Info : inner.Info with { Key = key, Option = null }, inner.Kind, inner.Nullable)
    {
        public override object? Default => inner.Get(get(defaults));
        public override object? Get(TRecord record) => inner.Get(get(record));
        public override TRecord Set(TRecord record, object? value) => set(record, inner.Set(get(record), value));
    }
}

/// <summary>A value that is not allowed: the setting's key, the value as text, and what it must be.</summary>
public sealed record SettingProblem(string Key, string Value, string Expected)
{
    /// <summary>A sentence that replaces "must be …" where a rule has more to say.</summary>
    public string? Explanation { get; init; }

    /// <summary>What is wrong: "must be an integer >= 1", or the rule's explanation.</summary>
    public string What => Explanation ?? $"must be {Expected}";

    /// <summary>As the experiment file says it: "0 is out of range: must be an integer >= 1".</summary>
    public string OutOfRange => Explanation ?? $"{Value} is out of range: must be {Expected}";
}
