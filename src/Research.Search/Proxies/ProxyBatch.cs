using Research.Torch.IO;
using Research.Training.Data;
using Research.Training.Transforms;

namespace Research.Search.Proxies;

/// <summary>
/// The one batch the batch proxies score a network on: images as the network sees them (float32
/// [N, C, H, W], normalised) and, for the proxies with a loss, their labels. Either given
/// (<see cref="FromFiles"/>: a .npy batch, so a score can be checked elsewhere on the same input)
/// or drawn from a dataset's training images by a seed, prepared as evaluation prepares them.
/// </summary>
public sealed class ProxyBatch : IDisposable
{
    private ProxyBatch(Tensor images, Tensor? labels, string source)
    {
        Images = images;
        Labels = labels;
        Source = source;
    }

    /// <summary>A batch of prepared images and optional labels; the batch owns them.</summary>
    public static ProxyBatch Of(Tensor images, Tensor? labels, string source) => new(images, labels, source);

    public Tensor Images { get; }
    public Tensor? Labels { get; }
    /// <summary>Where the batch came from, for messages and the output.</summary>
    public string Source { get; }
    public long Count => Images.size(0);

    /// <summary>
    /// A .npy float32 batch [N, C, H, W] (taken as already normalised) and optional int64/int32 labels [N]; the shape must
    /// fit the network (its channels and resolution) and N be at least 2 (NASWOT and jacob_cov compare images).
    /// </summary>
    public static ProxyBatch FromFiles(string input, string? labels, NetworkSpec spec)
    {
        var x = NpyFile.LoadFloat32(input);
        try
        {
            var s = x.shape;
            if (s.Length != 4 || s[0] < 2 || s[1] != spec.InChannels || s[2] != spec.Resolution || s[3] != spec.Resolution)
                throw new InvalidDataException(
                    $"{input}: shape [{string.Join(", ", s)}] does not fit {spec.Name}: expected [N >= 2, {spec.InChannels}, {spec.Resolution}, {spec.Resolution}]" +
                    " (its input channels and resolution; --resolution and --in-channels change the model)");
            Tensor? y = null;
            if (labels is not null)
            {
                y = NpyFile.LoadInt64(labels);
                if (y.dim() != 1 || y.size(0) != s[0])
                {
                    var shape = y.shape;
                    y.Dispose();
                    throw new InvalidDataException($"{labels}: shape [{string.Join(", ", shape)}]; expected [{s[0]}] (one label per image of {input})");
                }
                using (var lo = y.min())
                using (var hi = y.max())
                    if (lo.item<long>() < 0 || hi.item<long>() >= spec.Classes)
                    {
                        y.Dispose();
                        throw new InvalidDataException($"{labels}: labels must be in [0, {spec.Classes}) for {spec.Name}'s {spec.Classes} classes");
                    }
            }
            return new ProxyBatch(x, y, Path.GetFileName(input));
        }
        catch
        {
            x.Dispose();
            throw;
        }
    }

    /// <summary><paramref name="size"/> training images drawn without replacement by <paramref name="seed"/>, prepared as evaluation prepares them for this network.</summary>
    public static ProxyBatch FromDataset(DatasetPair data, NetworkSpec spec, int size, int seed)
    {
        var train = data.Train;
        if (size < 2 || size > train.Count) throw new ArgumentException($"proxy batch {size}: must be in [2, {train.Count}] ({train.Name}'s training images)");
        var rng = new Random(seed);
        var order = Enumerable.Range(0, train.Count).ToArray();
        rng.Shuffle(order);
        var chosen = order.Take(size).ToArray();
        var bytes = new byte[(long)size * train.ImageBytes];
        for (int i = 0; i < size; i++) train.CopyImage(chosen[i], bytes.AsSpan(i * train.ImageBytes, train.ImageBytes));
        var transform = new BatchTransform(data.Stats(), spec.InChannels, spec.Resolution, AugmentConfig.None, data.Recipe);
        using var raw = torch.from_bytes(bytes, [size, train.Channels, train.Height, train.Width], ScalarType.Byte);
        var images = transform.Apply(raw, train: false);
        var labels = torch.tensor(chosen.Select(i => train.Labels[i]).ToArray());
        return new ProxyBatch(images, labels, $"{train.Name} seed {seed}");
    }

    /// <summary>The batch on a device (a copy; this one keeps its own).</summary>
    public ProxyBatch To(Device device) => new(Images.to(device), Labels?.to(device), Source);

    public void Dispose()
    {
        Images.Dispose();
        Labels?.Dispose();
    }
}
