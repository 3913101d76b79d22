using Research.Training.Data;

namespace Research.Training.Transforms;

/// <summary>Per-channel mean and standard deviation of a dataset's pixels in [0, 1], for normalisation.</summary>
public sealed record ChannelStats(float[] Mean, float[] Std)
{
    /// <summary>At most this many images are read (evenly spaced) to estimate the statistics of a large dataset.</summary>
    public const int MaxImages = 50_000;

    /// <summary>
    /// Computed from the images themselves, so any dataset normalises correctly: every image of an
    /// in-memory dataset; of a streamed one, at most <see cref="MaxImages"/> evenly spaced (one pass over them).
    /// </summary>
    public static ChannelStats Of(ImageDataset ds)
    {
        int c = ds.Channels, plane = ds.Height * ds.Width;
        var sum = new double[c];
        var sq = new double[c];
        var image = new byte[ds.ImageBytes];
        int used = ds.Streamed ? Math.Min(ds.Count, MaxImages) : ds.Count;
        for (int k = 0; k < used; k++)
        {
            int i = used == ds.Count ? k : (int)((long)k * ds.Count / used);
            ds.CopyImage(i, image);
            for (int ch = 0; ch < c; ch++)
            {
                long s = 0, s2 = 0;
                int off = ch * plane;
                for (int p = 0; p < plane; p++)
                {
                    int v = image[off + p];
                    s += v;
                    s2 += v * v;
                }
                sum[ch] += s;
                sq[ch] += s2;
            }
        }
        double n = (double)used * plane;
        var mean = new float[c];
        var std = new float[c];
        for (int ch = 0; ch < c; ch++)
        {
            double m = sum[ch] / n / 255.0;
            double v = sq[ch] / n / (255.0 * 255.0) - m * m;
            mean[ch] = (float)m;
            std[ch] = (float)Math.Sqrt(Math.Max(v, 1e-12));
        }
        return new ChannelStats(mean, std);
    }
}
