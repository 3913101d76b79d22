using System.Text;

namespace Research.Core.Settings;

/// <summary>A setting set as a Markdown table: key, CLI option, allowed values, default, meaning (experiments/README.md is made of these).</summary>
public static class SettingsMarkdown
{
    public static string Table(IEnumerable<Setting> settings)
    {
        var sb = new StringBuilder("| key | CLI | value | default | meaning |\n|---|---|---|---|---|\n");
        foreach (var s in settings)
            sb.Append($"| `{s.Key}` | `{s.CliOption}` | {Escape(s.Expected)} | {Escape(s.DefaultText)} | {Escape(s.Description)} |\n");
        return sb.ToString();
    }

    private static string Escape(string text) => text.Replace("|", "\\|");
}
