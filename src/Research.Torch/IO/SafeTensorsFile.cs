namespace Research.Torch.IO;

/// <summary>
/// The tensors and metadata loaded from a safetensors file, by name, in header order, owned as a
/// <see cref="TensorDictionary"/>.
/// </summary>
public sealed class SafeTensorsFile : TensorDictionary
{
    internal SafeTensorsFile(SafeTensorsHeader header, Tensor[] tensors) : base(header.Tensors.Select(t => t.Name).ToList(), tensors)
    {
        Header = header;
    }

    public override string Path => Header.Path;

    /// <summary>Names, dtypes, shapes and offsets as the file's header gave them.</summary>
    public SafeTensorsHeader Header { get; }

    public IReadOnlyDictionary<string, string> Metadata => Header.Metadata;
}
