using System.Globalization;
using Research.Training.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Research.Bench.ImageFolders;

/// <summary>Writes datasets as image files (shared by the bench tool and the tests).</summary>
public static class ImageFolderWriter
{
    /// <summary>A class folder's name: the label's two digits first (so the sorted folders keep the label order), then the name made file-safe.</summary>
    public static string ClassFolder(int label, string name) =>
        $"{label:00}_{new string(name.Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '-').ToArray())}";

    /// <summary>ROOT/split/&lt;class&gt;/&lt;index&gt;.png for every image of a dataset part.</summary>
    public static void WritePng(ImageDataset data, string root, string split, int? limit = null)
    {
        int count = Math.Min(limit ?? data.Count, data.Count);
        var names = data.ClassNames ?? Enumerable.Range(0, data.Classes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        foreach (var (name, label) in names.Select((n, i) => (n, i))) Directory.CreateDirectory(Path.Combine(root, split, ClassFolder(label, name)));
        var buffer = new byte[data.ImageBytes];
        Parallel.For(0, count, () => new byte[data.ImageBytes], (i, _, image) =>
        {
            data.CopyImage(i, image);
            var path = Path.Combine(root, split, ClassFolder((int)data.Labels[i], names[data.Labels[i]]), $"{i:000000}.png");
            if (data.Channels == 1)
            {
                using var png = Image.LoadPixelData<L8>(image, data.Width, data.Height);
                png.SaveAsPng(path);
            }
            else
            {
                int plane = data.Width * data.Height;
                var rgb = new byte[plane * 3];
                for (int p = 0; p < plane; p++)
                    (rgb[3 * p], rgb[3 * p + 1], rgb[3 * p + 2]) = (image[p], image[plane + p], image[2 * plane + p]);
                using var png = Image.LoadPixelData<Rgb24>(rgb, data.Width, data.Height);
                png.SaveAsPng(path);
            }
            return image;
        }, _ => { });
    }

    /// <summary>ROOT/train/&lt;class&gt;/*.jpg: <paramref name="count"/> colour images of size×size, a smooth pattern per class plus noise.</summary>
    public static void WriteJpegs(string root, int count, int size, int classes, int seed)
    {
        for (int c = 0; c < classes; c++) Directory.CreateDirectory(Path.Combine(root, "train", ClassFolder(c, $"class{c}")));
        Parallel.For(0, count, i =>
        {
            var rng = new Random(seed * 1_000_003 + i);
            int label = i % classes;
            using var image = new Image<Rgb24>(size, size);
            double fx = 1 + label, fy = 2 + label % 3;
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                {
                    double v = Math.Sin(fx * x * Math.PI / size) * Math.Cos(fy * y * Math.PI / size);
                    image[x, y] = new Rgb24((byte)(128 + 100 * v + rng.Next(-20, 20)), (byte)(128 - 80 * v), (byte)rng.Next(0, 256));
                }
            image.SaveAsJpeg(Path.Combine(root, "train", ClassFolder(label, $"class{label}"), $"{i:000000}.jpg"));
        });
    }
}
