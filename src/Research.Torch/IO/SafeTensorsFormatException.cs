namespace Research.Torch.IO;

/// <summary>A safetensors file that breaks the format; the message starts with the file's path and says what was wrong.</summary>
public sealed class SafeTensorsFormatException : IOException
{
    public SafeTensorsFormatException(string path, string problem) : base($"{path}: {problem}")
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>The file that was read.</summary>
    public string Path { get; }

    /// <summary>What was wrong, without the path.</summary>
    public string Problem { get; }
}
