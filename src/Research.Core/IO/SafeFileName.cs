namespace Research.Core.IO;

/// <summary>A name (a model's, a family member's) made fit to name a file or folder: characters other than letters, digits, '.', '_' and '-' become '_'.</summary>
public static class SafeFileName
{
    public static string Of(string name) => new(name.Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_' or '-' ? ch : '_').ToArray());
}
