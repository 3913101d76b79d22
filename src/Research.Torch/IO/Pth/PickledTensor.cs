namespace Research.Torch.IO.Pth;

/// <summary>
/// A tensor as <c>_rebuild_tensor_v2</c> describes it: a view (offset, size, stride, all in
/// elements) into a storage. Made only through <see cref="TryCreate"/>, which checks that the
/// view lies inside the storage, so nothing downstream can read outside it or allocate for a
/// size the file cannot back.
/// </summary>
internal sealed record PickledTensor
{
    private PickledTensor(PickledStorage storage, long storageOffset, long[] shape, long[] stride, long elementCount)
    {
        (Storage, StorageOffset, Shape, Stride, ElementCount) = (storage, storageOffset, shape, stride, elementCount);
    }

    public PickledStorage Storage { get; }
    public long StorageOffset { get; }
    public long[] Shape { get; }
    public long[] Stride { get; }
    public long ElementCount { get; }

    public ScalarType DType => Storage.DType;

    /// <summary>The bytes of the tensor's own elements (not of the whole storage).</summary>
    public long ByteLength => ElementCount * DType.ElementSize();

    /// <summary>True when the elements lie in row-major order from the offset, so they can be taken as one slice of the storage.</summary>
    public bool IsRowMajor
    {
        get
        {
            long expected = 1;
            for (int d = Shape.Length - 1; d >= 0; d--)
            {
                // A dimension of size 1 is never stepped over, so its stride does not matter (PyTorch agrees).
                if (Shape[d] != 1 && Stride[d] != expected) return false;
                expected *= Shape[d];
            }
            return true;
        }
    }

    /// <summary>
    /// Checks the view against the storage and returns it, or returns null with what is wrong:
    /// size and stride of unequal rank, a negative size, stride or offset, an element count or
    /// extent that overflows 64 bits, or a last element beyond the storage.
    /// </summary>
    public static PickledTensor? TryCreate(PickledStorage storage, long storageOffset, long[] shape, long[] stride, out string? problem)
    {
        string Layout() => $"size ({string.Join(", ", shape)}), stride ({string.Join(", ", stride)}), storage offset {storageOffset}";
        problem = null;
        if (shape.Length != stride.Length)
            problem = $"has {shape.Length} sizes but {stride.Length} strides ({Layout()})";
        else if (shape.Any(s => s < 0))
            problem = $"has a negative size ({Layout()})";
        else if (stride.Any(s => s < 0))
            problem = $"has a negative stride, which PyTorch never saves ({Layout()})";
        else if (storageOffset < 0)
            problem = $"has a negative storage offset ({Layout()})";
        if (problem is not null) return null;

        long count = 1;
        if (!shape.Contains(0))
            foreach (var s in shape)
            {
                if (count > long.MaxValue / s)
                {
                    problem = $"has more elements than 64 bits can count ({Layout()})";
                    return null;
                }
                count *= s;
            }
        else count = 0;

        if (count > long.MaxValue / storage.DType.ElementSize())
        {
            problem = $"has {count} elements, more bytes than 64 bits can count ({Layout()})";
            return null;
        }

        if (count > 0)
        {
            // The furthest element the view touches; the others lie between the offset and it.
            long last = storageOffset;
            for (int d = 0; d < shape.Length; d++)
            {
                long step = shape[d] - 1;
                if (step > 0 && (stride[d] > (long.MaxValue - last) / step))
                {
                    problem = $"reaches past the 64-bit range ({Layout()})";
                    return null;
                }
                last += step * stride[d];
            }
            if (last >= storage.ElementCount)
            {
                problem = $"reaches element {last}, past the storage's end ({Layout()})";
                return null;
            }
        }
        return new PickledTensor(storage, storageOffset, shape, stride, count);
    }

    public override string ToString() =>
        $"{DType.Name()} [{string.Join(", ", Shape)}]" + (IsRowMajor ? "" : $" stride ({string.Join(", ", Stride)})");
}
