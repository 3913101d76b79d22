namespace Research.Models.Specs;

/// <summary>A spec text or file that does not parse; the message names the token or key and where it is.</summary>
public sealed class SpecFormatException : FormatException
{
    public SpecFormatException(string message) : base(message) { }
}
