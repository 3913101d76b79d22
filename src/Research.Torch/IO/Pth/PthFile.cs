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
    /// <paramref name="check"/>, when given, sees every tensor's name, dtype and shape before any
    /// storage is inflated, and throws to refuse them (a model's loader refuses names and shapes it
    /// does not have). Whatever the caller expects, a storage is inflated only when its zip sizes agree,
    /// its tensors use most of it, and all storages together fit in the memory this process may use.
    /// </summary>
    /// <exception cref="PthFormatException">the file is not a readable torch.save zip archive, its pickle needs
    /// anything beyond a state dict, or a tensor does not fit its storage; the message starts with the path.</exception>
    /// <exception cref="FileNotFoundException">there is no such file.</exception>
    public static PthStateDict Load(string path, Device? device = null, Action<IReadOnlyList<WeightEntry>>? check = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("torch.save stores little-endian storages; this machine is big-endian");

        using var archive = PthArchive.Open(path);
        archive.CheckByteOrder();
        var root = RestrictedUnpickler.Load(archive.ReadPickle(), path, archive.PickleName);
        var selection = StateDictSelection.Select(root, path);
        check?.Invoke(selection.Tensors.Select(kv => new WeightEntry(kv.Key, kv.Value.DType, kv.Value.Shape)).ToList());
        foreach (var (name, tensor) in selection.Tensors) CheckStorage(archive, name, tensor);
        CheckStorageUse(archive.Path, selection);
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
        archive.CheckDeclaredSizes(entry);
    }

    /// <summary>Bytes of a storage that none of its tensors needs, at most: views cut from a larger tensor are fine, padding is not.</summary>
    public const long MaxUnusedStorageBytes = 1L << 20;

    /// <summary>
    /// What the tensors would cost, against what the file holds: no tensor has more elements than its
    /// storage (an expanded, stride-0 view of a few bytes could otherwise ask for gigabytes), every storage
    /// is mostly used (at most twice its tensors' bytes, or 1 MiB more: views cut from a larger tensor are
    /// fine, padding is not), and storages and tensors together fit in the memory this process may use.
    /// Otherwise a small file could make us inflate or allocate gigabytes that no caller reads.
    /// </summary>
    private static void CheckStorageUse(string path, StateDictSelection selection)
    {
        long storages = 0, tensors = 0;
        foreach (var group in selection.Tensors.GroupBy(kv => kv.Value.Storage.Key, StringComparer.Ordinal))
        {
            var storage = group.First().Value.Storage;
            long used = 0;
            foreach (var (name, tensor) in group)
            {
                if (tensor.ElementCount > storage.ElementCount)
                    throw new PthFormatException(path,
                        $"tensor '{name}' ({tensor}) has {tensor.ElementCount} elements but its storage {storage} only {storage.ElementCount}: " +
                        "an expanded (stride 0) or overlapping view; save it with .contiguous()");
                used += tensor.ByteLength;
            }
            if (storage.ByteLength > 2 * used && storage.ByteLength - used > MaxUnusedStorageBytes)
                throw new PthFormatException(path,
                    $"storage {storage} holds {storage.ByteLength} bytes but its tensors ({string.Join(", ", group.Take(3).Select(kv => $"'{kv.Key}'"))}" +
                    $"{(group.Count() > 3 ? ", ..." : "")}) use {used}; a state dict's storages are its tensors (re-save views with .clone())");
            storages += storage.ByteLength;
            tensors += used;
        }
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (storages + tensors > available)
            throw new PthFormatException(path,
                $"its tensors take {tensors} bytes (their storages {storages}), more than the {available} bytes of memory this process may use");
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
