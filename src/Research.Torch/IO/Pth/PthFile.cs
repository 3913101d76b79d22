namespace Research.Torch.IO.Pth;

/// <summary>
/// Reads PyTorch <c>.pth</c>/<c>.pt</c> state dicts: the zip archive <c>torch.save(state_dict, f)</c>
/// writes from PyTorch 1.6 on. The pickle inside is read by <see cref="RestrictedUnpickler"/>,
/// which builds only dicts, tuples, lists, scalars, strings and tensors and never runs anything
/// the file names, so an untrusted file can be loaded safely; whatever it cannot read as a
/// state dict is refused.
/// </summary>
public static class PthFile
{
    /// <summary>
    /// Loads every tensor of the state dict onto <paramref name="device"/> (CPU by default),
    /// as contiguous tensors in the file's order. The file's top object must be a dict of
    /// name → tensor, or a checkpoint dict holding one under <c>state_dict</c> or <c>model</c>
    /// (see <see cref="PthStateDict.CheckpointKey"/>). The whole pickle and every tensor's
    /// layout against its storage entry are checked before any tensor is allocated.
    /// </summary>
    /// <exception cref="PthFormatException">the file is not a readable torch.save zip archive, its pickle needs
    /// anything beyond a state dict, or a tensor does not fit its storage; the message starts with the path.</exception>
    /// <exception cref="FileNotFoundException">there is no such file.</exception>
    public static PthStateDict Load(string path, Device? device = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("torch.save stores little-endian storages; this machine is big-endian");

        using var archive = PthArchive.Open(path);
        archive.CheckByteOrder();
        var root = RestrictedUnpickler.Load(archive.ReadPickle(), path, archive.PickleName);
        var selection = StateDictSelection.Select(root, path);
        foreach (var (name, tensor) in selection.Tensors) CheckStorage(archive, name, tensor);
        return Materialize(archive, selection, device ?? Device.CPU);
    }

    // Everything that could make a read go wrong or a buffer too big is settled here, before
    // the first byte of tensor data is read.
    private static void CheckStorage(PthArchive archive, string name, PickledTensor tensor)
    {
        var storage = tensor.Storage;
        var entryName = archive.StorageName(storage.Key);
        var entry = archive.Storage(storage.Key)
                    ?? throw new PthFormatException(archive.Path, $"tensor '{name}' ({tensor}) uses storage {storage}, but the archive has no {entryName}");
        if (entry.Length != storage.ByteLength)
            throw new PthFormatException(archive.Path,
                $"tensor '{name}' ({tensor}) uses storage {storage}, which needs {storage.ElementCount} × {storage.DType.ElementSize()} = {storage.ByteLength} bytes, but {entryName} holds {entry.Length}");
        if (storage.ByteLength > Array.MaxLength)
            throw new PthFormatException(archive.Path,
                $"tensor '{name}' uses storage {storage} of {storage.ByteLength} bytes, more than one array can hold (about 2 GiB); this reader cannot load it");
    }

    private static PthStateDict Materialize(PthArchive archive, StateDictSelection selection, Device device)
    {
        var tensors = selection.Tensors;
        var loaded = new Tensor[tensors.Count];
        try
        {
            // One storage at a time, in the order first used: tensors sharing it (views, tied
            // weights) are cut from one read of its bytes, and no more than one storage is held.
            foreach (var group in Enumerable.Range(0, tensors.Count).GroupBy(i => tensors[i].Value.Storage.Key, StringComparer.Ordinal))
            {
                var first = tensors[group.First()].Value.Storage;
                var bytes = archive.Read(archive.Storage(first.Key)!, first.ByteLength, exact: true);
                foreach (var i in group) loaded[i] = Create(archive.Path, tensors[i].Key, tensors[i].Value, bytes, device);
            }
        }
        catch
        {
            foreach (var t in loaded) t?.Dispose();
            throw;
        }
        return new PthStateDict(archive.Path, selection.CheckpointKey, tensors.Select(kv => kv.Key).ToList(), loaded);
    }

    private static Tensor Create(string path, string name, PickledTensor tensor, byte[] storage, Device device)
    {
        int elementSize = tensor.DType.ElementSize();
        // An empty view may sit at any offset, even past the storage's end; it needs no bytes.
        ReadOnlySpan<byte> elements = tensor.ElementCount == 0 ? [] : tensor.IsRowMajor
            ? storage.AsSpan(checked((int)(tensor.StorageOffset * elementSize)), checked((int)tensor.ByteLength))
            : StridedCopy.Gather(storage, tensor);
        // libtorch assumes a bool byte is 0 or 1; anything else would make comparisons misbehave.
        if (tensor.DType == ScalarType.Bool && elements.IndexOfAnyExcept((byte)0, (byte)1) is var bad and >= 0)
            throw new PthFormatException(path, $"tensor '{name}' (bool) has the byte {elements[bad]} at element {bad}; booleans must be 0 or 1");
        return torch.from_bytes(elements, tensor.Shape, tensor.DType, device);
    }
}
