using Research.Torch;

namespace Research.Training.Tests;

public class DataLoaderTests
{
    private static ImageDataset Numbered(int n)
    {
        var images = new byte[n];
        var labels = new long[n];
        for (int i = 0; i < n; i++)
        {
            images[i] = (byte)i;
            labels[i] = i % 3;
        }
        return new ImageDataset("numbered", images, labels, 1, 1, 1, 3);
    }

    [Fact]
    public void AnEpochServesEveryIndexOnceInTheSeededOrder()
    {
        var loader = new DataLoader(Numbered(100), 16, shuffle: true, dropLast: false, Device.CPU, seed: 5);
        Assert.Equal(7, loader.BatchesPerEpoch);
        var served = new List<int>();
        foreach (var b in loader.Epoch(0))
            using (b)
            {
                served.AddRange(b.Images.flatten().ToArray<byte>().Select(v => (int)v));
                Assert.Equal(b.Images.flatten().ToArray<byte>().Select(v => (long)(v % 3)), b.Labels.ToArray<long>());
            }
        Assert.Equal(loader.Order(0), served);
        Assert.Equal(Enumerable.Range(0, 100), served.Order());
        Assert.Equal(loader.Order(0), new DataLoader(Numbered(100), 16, true, false, Device.CPU, seed: 5).Order(0));
        Assert.NotEqual(loader.Order(0), loader.Order(1));
    }

    [Fact]
    public void DropLastAndStoppingEarlyLeaveNothingBehind()
    {
        var loader = new DataLoader(Numbered(50), 16, shuffle: false, dropLast: true, Device.CPU);
        Assert.Equal(3, loader.BatchesPerEpoch);
        foreach (var b in loader.Epoch(0))
        {
            Assert.Equal(16, b.Size);
            b.Dispose();
            break; // the prefetched batches must be freed and the producer stopped
        }
        Assert.Equal(3, loader.Epoch(1).Count(b => { b.Dispose(); return true; }));
    }
}
