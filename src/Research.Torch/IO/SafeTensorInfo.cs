namespace Research.Torch.IO;

/// <summary>
/// One tensor's header entry: its dtype, shape and byte range
/// [<see cref="Begin"/>, <see cref="End"/>) relative to the start of the data section.
/// </summary>
public sealed record SafeTensorInfo(string Name, ScalarType DType, long[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;

    /// <summary>The product of the shape (1 for a 0-dim tensor).</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (var s in Shape) n *= s;
            return n;
        }
    }

    public override string ToString() =>
        $"{Name}: {SafeTensorsDType.Code(DType)} [{string.Join(", ", Shape)}] bytes [{Begin}, {End})";
}
