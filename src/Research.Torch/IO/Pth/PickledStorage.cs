namespace Research.Torch.IO.Pth;

/// <summary>
/// A storage a persistent id <c>('storage', storage_type, key, location, numel)</c> refers to:
/// the archive entry <c>data/&lt;key&gt;</c> holds its <see cref="ElementCount"/> elements of
/// <see cref="DType"/>, little-endian. <see cref="Location"/> is where it lived when saved
/// ("cpu", "cuda:0"); the reader ignores it and loads onto the device it is asked for, like
/// <c>torch.load(f, map_location=...)</c>.
/// </summary>
internal sealed record PickledStorage(string Key, string StorageType, ScalarType DType, long ElementCount, string Location)
{
    /// <summary>The bytes the archive entry must hold; the unpickler checks it cannot overflow.</summary>
    public long ByteLength => ElementCount * DType.ElementSize();

    public override string ToString() => $"'{Key}' ({StorageType}, {ElementCount} element{(ElementCount == 1 ? "" : "s")}, saved on {Location})";
}
