using Research.Training.Data;

namespace Research.Training.Transforms;

/// <summary>Per-channel mean and standard deviation of a dataset's pixels in [0, 1], for normalisation.</summary>
public sealed record ChannelStats(float[] Mean, float[] Std)
{
    /// <summary>Computed from the images themselves (one pass over the bytes), so any dataset normalises correctly.</summary>
    public static ChannelStats Of(ImageDataset ds)
    {
        int c = ds.Channels, plane = ds.Height * ds.Width;
        var sum = new double[c];
        var sq = new double[c];
        var bytes = ds.Images;
        for (int i = 0; i < ds.Count; i++)
            for (int ch = 0; ch < c; ch++)
            {
                long s = 0, s2 = 0;
                int off = (i * c + ch) * plane;
                for (int p = 0; p < plane; p++)
                {
                    int v = bytes[off + p];
                    s += v;
                    s2 += v * v;
                }
                sum[ch] += s;
                sq[ch] += s2;
            }
        double n = (double)ds.Count * plane;
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
