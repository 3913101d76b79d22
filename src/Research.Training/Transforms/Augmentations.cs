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

    /// <summary>
    /// torchvision's RandomResizedCrop, batched: per sample, a box of area fraction U(0.08, 1) of the
    /// image and aspect ratio log-uniform in [3/4, 4/3] at a uniform position (ten tries, else the
    /// largest central box of a ratio in range), resized bilinearly to size×size. Random numbers come
    /// from torch's generator (on the batch's device), so a resumed run draws the same boxes.
    /// </summary>
    public static Tensor RandomResizedCrop(Tensor x, int size, double minScale = 0.08, double maxScale = 1.0, double minRatio = 3.0 / 4, double maxRatio = 4.0 / 3)
    {
        using var scope = torch.NewDisposeScope();
        long n = x.size(0), height = x.size(2), width = x.size(3);
        const int tries = 10;
        var dev = x.device;
        var area = (torch.rand([n, tries], device: dev) * (maxScale - minScale) + minScale) * (height * width);
        var ratio = (torch.rand([n, tries], device: dev) * (Math.Log(maxRatio) - Math.Log(minRatio)) + Math.Log(minRatio)).exp();
        var w = (area * ratio).sqrt().round();
        var h = (area / ratio).sqrt().round();
        var fits = w.le(width).logical_and(h.le(height)).logical_and(w.ge(1)).logical_and(h.ge(1));
        // The first try that fits, per sample; where none does, the central fallback below.
        var firstFit = fits.to(ScalarType.Int64).argmax(1, keepdim: true);
        var anyFit = fits.to(ScalarType.Int64).sum(1).gt(0);
        var boxW = w.gather(1, firstFit).squeeze(1);
        var boxH = h.gather(1, firstFit).squeeze(1);
        double imageRatio = (double)width / height;
        double fallbackW = imageRatio < minRatio ? width : imageRatio > maxRatio ? Math.Round(height * maxRatio) : width;
        double fallbackH = imageRatio < minRatio ? Math.Round(width / minRatio) : imageRatio > maxRatio ? height : height;
        boxW = torch.where(anyFit, boxW, torch.full([n], fallbackW, device: dev));
        boxH = torch.where(anyFit, boxH, torch.full([n], fallbackH, device: dev));
        var left = torch.where(anyFit, (torch.rand([n], device: dev) * (width - boxW + 1)).floor(), ((width - boxW) / 2).floor());
        var top = torch.where(anyFit, (torch.rand([n], device: dev) * (height - boxH + 1)).floor(), ((height - boxH) / 2).floor());
        return CropAndResize(x, left, top, boxW, boxH, size).MoveToOuterDisposeScope();
    }

    /// <summary>Evaluation: the shorter side resized to size / fraction, then the central size×size (one box for the whole batch).</summary>
    public static Tensor ResizeCenterCrop(Tensor x, int size, double fraction)
    {
        using var scope = torch.NewDisposeScope();
        long height = x.size(2), width = x.size(3);
        int shorter = (int)Math.Round(size / fraction);
        var resized = x;
        if (Math.Min(height, width) != shorter)
        {
            long h = height <= width ? shorter : (long)Math.Round((double)height * shorter / width);
            long w = height <= width ? (long)Math.Round((double)width * shorter / height) : shorter;
            resized = torch.nn.functional.interpolate(x, (h, w), InterpolationMode.Bilinear);
        }
        long top = (resized.size(2) - size) / 2, left = (resized.size(3) - size) / 2;
        return resized.narrow(2, top, size).narrow(3, left, size).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Per-sample pixel boxes (left, top, width, height) of x resized bilinearly to size×size, through one affine sampling grid.</summary>
    private static Tensor CropAndResize(Tensor x, Tensor left, Tensor top, Tensor boxW, Tensor boxH, int size)
    {
        long n = x.size(0), c = x.size(1), height = x.size(2), width = x.size(3);
        // Output coordinates in [-1, 1] (pixel centres) map onto the box: x_in = centre + half-extent · x_out, normalised to the input.
        var scaleX = boxW / width;
        var scaleY = boxH / height;
        var centreX = (left + boxW / 2) / width * 2 - 1;
        var centreY = (top + boxH / 2) / height * 2 - 1;
        var zeros = torch.zeros([n], device: x.device);
        var theta = torch.stack([scaleX, zeros, centreX, zeros, scaleY, centreY], 1).view(n, 2, 3).to(ScalarType.Float32);
        var grid = torch.nn.functional.affine_grid(theta, [n, c, size, size]);
        return torch.nn.functional.grid_sample(x, grid, InterpolationMode.Bilinear, borderPadding: true);
    }
}
