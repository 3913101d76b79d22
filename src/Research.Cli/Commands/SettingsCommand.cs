using Research.Experiments.Config;

namespace Research.Cli.Commands;

/// <summary>
/// `research settings`: every setting with its experiment-file key, CLI option, allowed values,
/// default and meaning, grouped by the layer's record that owns it (<see cref="SettingsCatalog"/>).
/// </summary>
public static class SettingsCommand
{
    public static Command Create()
    {
        var markdown = new Option<bool>("--markdown") { Description = "print the tables as experiments/README.md has them" };
        var cmd = new Command("settings", "every setting: its experiment-file key, CLI option, allowed values, default and meaning") { markdown };
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            foreach (var section in SettingsCatalog.Sections)
            {
                if (parse.GetValue(markdown))
                {
                    if (!section.InExperimentFile) continue;
                    o.Write(SettingsCatalog.Markdown(section));
                    o.WriteLine();
                    continue;
                }
                o.WriteLine($"{section.Title} (experiment file: {section.Place}; commands: {string.Join(", ", section.Commands)})");
                var table = new TextTable("key", "cli", "value", "default", "meaning");
                foreach (var s in section.Settings) table.Add(s.Key, s.CliOption, s.Expected, s.DefaultText, s.Description);
                o.Write(table.ToString());
                o.WriteLine();
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
