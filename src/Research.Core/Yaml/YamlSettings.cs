using Research.Core.Settings;

namespace Research.Core.Yaml;

/// <summary>Binds a mapping's keys to a record's settings: the experiment-file side of a <see cref="SettingSet{TRecord}"/>.</summary>
public static class YamlSettings
{
    /// <summary>
    /// The record with every key of <paramref name="settings"/> that the mapping gives set, starting
    /// from <paramref name="start"/> (the set's defaults when null). Wrong values and broken rules
    /// are recorded on the checker, each at its key; the setting keeps its previous value then.
    /// </summary>
    public static TRecord Read<TRecord>(YamlChecker checker, YamlMap map, SettingSet<TRecord> settings, TRecord? start = default)
    {
        var record = start ?? settings.Defaults;
        var failed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var setting in settings)
        {
            if (map.Raw(setting.Key) is not { } node) continue;
            var value = checker.Value(node, map.Sub(setting.Key), setting, out bool ok);
            if (ok) record = setting.Set(record, value);
            else failed.Add(setting.Key);
        }
        foreach (var problem in settings.Problems(record))
            if (!failed.Contains(problem.Key))
                checker.Error(map.KeyNode(problem.Key)?.Start ?? map.Start, map.Sub(problem.Key), problem.OutOfRange);
        return record;
    }
}
