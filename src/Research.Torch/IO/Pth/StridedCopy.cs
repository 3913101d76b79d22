namespace Research.Torch.IO.Pth;

/// <summary>
/// Copies the elements of a strided view of a storage into row-major order, in C#: the
/// binding has no as_strided, and a saved view (a transposed weight, a slice) is rare and
/// small enough that a byte copy costs nothing that matters.
/// </summary>
internal static class StridedCopy
{
    /// <summary>The view's elements, row-major; the caller has checked (<see cref="PickledTensor.TryCreate"/>) that every one lies inside <paramref name="storage"/>.</summary>
    public static byte[] Gather(ReadOnlySpan<byte> storage, PickledTensor view)
    {
        int elementSize = view.DType.ElementSize();
        var result = new byte[checked((int)view.ByteLength)];
        if (view.ElementCount == 0) return result;
        var shape = view.Shape;
        var stride = view.Stride;
        if (shape.Length == 0)
        {
            storage.Slice(checked((int)(view.StorageOffset * elementSize)), elementSize).CopyTo(result);
            return result;
        }

        int inner = shape.Length - 1;
        long rowLength = shape[inner];
        long innerStride = stride[inner];
        var index = new long[inner];
        long rowStart = view.StorageOffset;
        int written = 0;
        while (true)
        {
            if (innerStride == 1)
            {
                int bytes = checked((int)(rowLength * elementSize));
                storage.Slice(checked((int)(rowStart * elementSize)), bytes).CopyTo(result.AsSpan(written));
                written += bytes;
            }
            else
            {
                for (long column = 0; column < rowLength; column++)
                {
                    storage.Slice(checked((int)((rowStart + column * innerStride) * elementSize)), elementSize).CopyTo(result.AsSpan(written));
                    written += elementSize;
                }
            }

            // Step the outer indices like an odometer, last outer dimension fastest.
            int dim = inner - 1;
            for (; dim >= 0; dim--)
            {
                rowStart += stride[dim];
                if (++index[dim] < shape[dim]) break;
                rowStart -= stride[dim] * shape[dim];
                index[dim] = 0;
            }
            if (dim < 0) return result;
        }
    }
}
