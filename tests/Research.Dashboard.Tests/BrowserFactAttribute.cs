namespace Research.Dashboard.Tests;

/// <summary>A fact that is skipped (not passed) where Debian's chromium is not installed.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public BrowserFactAttribute()
    {
        if (!File.Exists(Chromium)) Skip = $"needs Debian's chromium at {Chromium} (apt-get install chromium; scripts/setup.sh installs it)";
    }
}
