using Research.Torch;

namespace Research.Training.Data;

/// <summary>A batch on its device: uint8 images (N, C, H, W) and int64 labels (N). Disposing frees both.</summary>
public sealed class Batch(Tensor images, Tensor labels, int size) : IDisposable
{
    public Tensor Images { get; } = images;
    public Tensor Labels { get; } = labels;
    public int Size { get; } = size;

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
