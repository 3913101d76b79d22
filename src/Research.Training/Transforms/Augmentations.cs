using Research.Torch;

namespace Research.Training.Transforms;

/// <summary>
/// Batched, on-device augmentations with a different random draw per sample. Random numbers
/// come from torch's generator, so a checkpoint's RNG state reproduces them on resume.
/// </summary>
public static class Augmentations
{
    /// <summary>
    /// Pads by <paramref name="padding"/> with zeros and crops back to the original size at a
    /// random offset per sample (two gathers, no per-sample loop).
    /// </summary>
    public static Tensor RandomCrop(Tensor x, int padding)
    {
        if (padding <= 0) return x.alias();
        using var scope = torch.NewDisposeScope();
        var s = x.shape;
        long b = s[0], c = s[1], h = s[2], w = s[3];
        var padded = torch.nn.functional.pad(x, [padding, padding, padding, padding]);
        var dev = x.device;
        var oy = torch.randint(0, 2 * padding + 1, [b, 1], device: dev);
        var ox = torch.randint(0, 2 * padding + 1, [b, 1], device: dev);
        var rows = (oy + torch.arange(h, device: dev).view(1, h)).view(b, 1, h, 1).expand(b, c, h, w + 2 * padding);
        var cropped = padded.gather(2, rows);
        var cols = (ox + torch.arange(w, device: dev).view(1, w)).view(b, 1, 1, w).expand(b, c, h, w);
        return cropped.gather(3, cols).MoveToOuterDisposeScope();
    }

    /// <summary>Mirrors each sample left-right with probability 1/2.</summary>
    public static Tensor RandomHorizontalFlip(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var flip = torch.rand([x.size(0), 1, 1, 1], device: x.device).lt(0.5);
        return torch.where(flip, x.flip(3), x).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Cutout (DeVries & Taylor): with probability p per sample, zeroes a square of side
    /// ⌈fraction × size⌉ centred uniformly (clipped at the border). Applied after normalisation,
    /// zero is the dataset mean.
    /// </summary>
    public static Tensor Cutout(Tensor x, double p, double fraction)
    {
        if (p <= 0) return x.alias();
        using var scope = torch.NewDisposeScope();
        var s = x.shape;
        long b = s[0], h = s[2], w = s[3];
        var dev = x.device;
        long half = (long)Math.Ceiling(fraction * Math.Min(h, w)) / 2;
        var cy = torch.randint(0, h, [b, 1, 1, 1], device: dev);
        var cx = torch.randint(0, w, [b, 1, 1, 1], device: dev);
        var ys = torch.arange(h, device: dev).view(1, 1, h, 1);
        var xs = torch.arange(w, device: dev).view(1, 1, 1, w);
        var inBox = (ys - cy).abs().le(half).logical_and((xs - cx).abs().le(half));
        var apply = torch.rand([b, 1, 1, 1], device: dev).lt(p);
        return x.masked_fill(inBox.logical_and(apply), 0).MoveToOuterDisposeScope();
    }
}
