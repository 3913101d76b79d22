using Research.Torch;

namespace Research.Training.Tests;

public class ImageStoreTests
{
    [Fact]
    public void AChunkedStoreServesEveryImageAsOneArrayWouldAcrossChunkEdges()
    {
        const int count = 11, imageBytes = 2 * 3 * 3;
        var pixels = new byte[count * imageBytes];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 7 + 3);
        // 40-byte chunks hold two whole images each: six chunks, the last with one image.
        var chunked = new ChunkedImageStore(count, imageBytes, chunkBytes: 40);
        Assert.Equal(2, chunked.ImagesPerChunk);
        Assert.Equal(6, chunked.Chunks.Count);
        Assert.Equal(imageBytes, chunked.Chunks[^1].Length);
        long offset = 0;
        foreach (var chunk in chunked.Chunks)
        {
            pixels.AsSpan((int)offset, chunk.Length).CopyTo(chunk);
            offset += chunk.Length;
        }
        var labels = Enumerable.Range(0, count).Select(i => (long)(i % 3)).ToArray();
        var whole = new ImageDataset("whole", new ArrayImageStore(pixels, count, imageBytes), null, labels, 2, 3, 3, 3);
        var parts = new ImageDataset("parts", chunked, null, labels, 2, 3, 3, 3);
        Assert.Equal(whole.Images, parts.Images);
        var a = new DataLoader(whole, 4, shuffle: true, dropLast: false, Device.CPU, seed: 5);
        var b = new DataLoader(parts, 4, shuffle: true, dropLast: false, Device.CPU, seed: 5);
        foreach (var (x, y) in a.Epoch(2).Zip(b.Epoch(2)))
            using (x)
            using (y)
            {
                Assert.True(x.Images.equal(y.Images));
                Assert.True(x.Labels.equal(y.Labels));
            }
    }
}
