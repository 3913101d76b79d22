using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Research.Core.Yaml;

/// <summary>A checked mapping: its allowed entries by key, and where it starts.</summary>
public sealed class YamlMap(YamlChecker checker, string path, Mark start, Dictionary<string, (YamlNode Key, YamlNode Value)> entries)
{
    public string Path { get; } = path;
    public Mark Start { get; } = start;
    public IEnumerable<string> Keys => entries.Keys;

    public bool Has(string key) => entries.ContainsKey(key);

    /// <summary>The value, or null when the key is absent or its value is YAML null.</summary>
    public YamlNode? this[string key] => entries.TryGetValue(key, out var e) && !YamlChecker.IsNull(e.Value) ? e.Value : null;

    /// <summary>The value as written, YAML null included (null only when the key is absent).</summary>
    public YamlNode? Raw(string key) => entries.TryGetValue(key, out var e) ? e.Value : null;

    public YamlNode? KeyNode(string key) => entries.TryGetValue(key, out var e) ? e.Key : null;

    public string Sub(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>Records "missing" at the mapping's start.</summary>
    public void Missing(string key, string what = "is required") => checker.Error(Start, Sub(key), what);
}
