using Research.Core.Settings;

namespace Research.Cli.Settings;

/// <summary>
/// The CLI side of a <see cref="SettingSet{TRecord}"/>: one option per setting, named, described and
/// defaulted by it, and the binding back into a record that is then validated by the same set.
/// A flag that is on by default is switched off by <c>--no-…</c>; lists are comma-separated.
/// </summary>
public sealed class SettingOptions<TRecord>
{
    private readonly SettingSet<TRecord> _settings;
    private readonly TRecord _defaults;
    private readonly List<(Setting<TRecord> Setting, Option Option)> _options = [];

    /// <param name="defaults">this command's defaults, when they differ from the record's (e.g. a benchmark's 32x32)</param>
    /// <param name="except">settings this command does not take</param>
    public SettingOptions(SettingSet<TRecord> settings, TRecord? defaults = default, params string[] except)
    {
        _settings = settings;
        _defaults = defaults ?? settings.Defaults;
        foreach (var key in except) settings.Get(key);
        foreach (var s in settings.Where(s => !except.Contains(s.Key))) _options.Add((s, Create(s, s.Get(_defaults))));
    }

    public IEnumerable<Option> Options => _options.Select(o => o.Option);

    public Option Option(string key) => _options.First(o => o.Setting.Key == key).Option;

    /// <summary>Whether the user gave this setting's option (rather than leaving its default).</summary>
    public bool WasGiven(ParseResult parse, string key) => parse.GetResult(Option(key)) is { Implicit: false };

    public void AddTo(Command command)
    {
        foreach (var (_, option) in _options) command.Options.Add(option);
    }

    /// <summary>The record from this command's defaults and what the user gave; every value not allowed is one <see cref="ArgumentException"/>.</summary>
    public TRecord Bind(ParseResult parse)
    {
        var record = _defaults;
        foreach (var (setting, option) in _options)
            if (parse.GetResult(option) is { Implicit: false }) record = setting.Set(record, Read(parse, setting, option));
        var problems = _settings.Problems(record);
        if (problems.Count > 0)
            throw new ArgumentException(string.Join("; ", problems.Select(p => $"{OptionName(p.Key)} {p.Value}: {p.What}")));
        return record;
    }

    private string OptionName(string key) => _options.FirstOrDefault(o => o.Setting.Key == key).Option?.Name ?? _settings.Get(key).Option;

    private static Option Create(Setting setting, object? defaultValue)
    {
        string description = setting.Description + (setting.Nullable ? $" (default: {setting.Info.NullMeaning})" : "");
        switch (setting.Kind)
        {
            case SettingKind.Integer when setting.Nullable:
                return new Option<int?>(setting.Option) { Description = description };
            case SettingKind.Integer:
                return new Option<int>(setting.Option) { Description = description, DefaultValueFactory = _ => (int)defaultValue! };
            case SettingKind.Number when setting.Nullable:
                return new Option<double?>(setting.Option) { Description = description, DefaultValueFactory = _ => (double?)defaultValue };
            case SettingKind.Number:
                return new Option<double>(setting.Option) { Description = description, DefaultValueFactory = _ => (double)defaultValue! };
            case SettingKind.Flag when defaultValue is true:
                return new Option<bool>(setting.CliOption) { Description = $"turn off: {setting.Description}" };
            case SettingKind.Flag:
                return new Option<bool>(setting.Option) { Description = setting.Description };
            case SettingKind.Choice when setting.Nullable:
                return new Option<string?>(setting.Option) { Description = description }.AcceptOnlyFromAmong(setting.Info.Choices!.ToArray());
            case SettingKind.Choice:
                return new Option<string>(setting.Option) { Description = description, DefaultValueFactory = _ => (string)defaultValue! }
                    .AcceptOnlyFromAmong(setting.Info.Choices!.ToArray());
            case SettingKind.Text when setting.Nullable:
                return new Option<string?>(setting.Option) { Description = description, DefaultValueFactory = _ => (string?)defaultValue };
            case SettingKind.Text:
                return new Option<string>(setting.Option) { Description = description, DefaultValueFactory = _ => (string)defaultValue! };
            default: // lists: comma-separated text, parsed by the setting's own rules
                return defaultValue is null
                    ? new Option<string?>(setting.Option) { Description = description }
                    : (Option)new Option<string>(setting.Option) { Description = description, DefaultValueFactory = _ => Setting.Show(defaultValue) };
        }
    }

    private static object? Read(ParseResult parse, Setting setting, Option option)
    {
        switch (option)
        {
            case Option<bool> flag when setting.Kind == SettingKind.Flag:
                bool given = parse.GetValue(flag);
                return flag.Name.StartsWith("--no-", StringComparison.Ordinal) ? !given : given;
            case Option<int> o: return parse.GetValue(o);
            case Option<int?> o: return parse.GetValue(o);
            case Option<double> o: return parse.GetValue(o);
            case Option<double?> o: return parse.GetValue(o);
            // Option<string> and Option<string?> are one type at run time: null is "not given" for a nullable setting.
            case Option<string> o when setting.Kind is SettingKind.IntegerList or SettingKind.NumberList:
                return parse.GetValue(o) is { } text ? ParseList(setting, option.Name, text) : null;
            case Option<string> o: return parse.GetValue(o);
            default: throw new InvalidOperationException($"{option.Name}: no reader for {option.GetType().Name}");
        }
    }

    private static object? ParseList(Setting setting, string name, string text)
    {
        try
        {
            return SettingText.Parse(setting, text);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"{name}: {e.Message}", e);
        }
    }
}
