namespace Research.Torch.IO.Pth;

/// <summary>
/// A <c>.pth</c>/<c>.pt</c> file this reader refuses: not a torch.save zip archive, a damaged
/// one, a pickle that asks for anything beyond a state dict (a global off the allow-list, an
/// opcode it does not implement, an object that is not a name → tensor dict), or a tensor whose
/// header disagrees with its storage. The message starts with the file's path and names what
/// was refused; problems inside the pickle also give the byte offset in <c>data.pkl</c>.
/// Derived from <see cref="FormatException"/>, which the CLI reports as bad input (exit code 2):
/// <see cref="InvalidDataException"/>, the other type it treats so, is sealed.
/// </summary>
public sealed class PthFormatException : FormatException
{
    public PthFormatException(string path, string problem, long? pickleOffset = null, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        Path = path;
        Problem = problem;
        PickleOffset = pickleOffset;
    }

    /// <summary>The file that was read.</summary>
    public string Path { get; }

    /// <summary>What was wrong, without the path.</summary>
    public string Problem { get; }

    /// <summary>The byte offset in the archive's <c>data.pkl</c> of the opcode that was refused, when the problem is in the pickle.</summary>
    public long? PickleOffset { get; }
}
