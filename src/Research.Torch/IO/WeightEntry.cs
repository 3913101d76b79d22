namespace Research.Torch.IO;

/// <summary>
/// A tensor as a weights file declares it (name, dtype, shape), before any of its data is read:
/// what a caller holds against the state dict it will accept (<see cref="WeightFile.Load"/>'s check),
/// so that a file with tensors nobody asked for is refused before they are inflated or allocated.
/// </summary>
public sealed record WeightEntry(string Name, ScalarType DType, long[] Shape)
{
    /// <summary>The product of the shape (1 for a 0-dim tensor); the readers have checked it fits 64 bits in bytes.</summary>
    public long ElementCount => Shape.Aggregate(1L, (n, s) => n * s);

    public long ByteLength => ElementCount * DType.ElementSize();

    public override string ToString() => $"'{Name}' {DType.Name()} [{string.Join(", ", Shape)}]";
}
