using System.Buffers.Binary;
using System.IO.Compression;

namespace Research.Training.Tests;

/// <summary>Image files that describe far more pixels than they hold (linked into the CLI tests too).</summary>
internal static class ImageBombs
{
    /// <summary>
    /// A GIF of <paramref name="frames"/> frames of width × height on a screen of its own size (or another): each frame's
    /// compressed data is one white pixel (the rest is black), so a file of a few hundred bytes describes frames × pixels.
    /// </summary>
    public static byte[] Gif(int width, int height, int frames, (int Width, int Height)? screen = null)
    {
        var (sw, sh) = screen ?? (width, height);
        var b = new List<byte>();
        b.AddRange("GIF89a"u8.ToArray());
        b.AddRange(BitConverter.GetBytes((ushort)sw));
        b.AddRange(BitConverter.GetBytes((ushort)sh));
        b.AddRange([0xF0, 0, 0, 0, 0, 0, 255, 255, 255]); // a global palette of two colours: black, white
        b.AddRange([0x21, 0xFF, 0x0B, .. "NETSCAPE2.0"u8.ToArray(), 0x03, 0x01, 0x00, 0x00, 0x00]); // loop forever: an animation
        for (int f = 0; f < frames; f++)
        {
            b.AddRange([0x21, 0xF9, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00]);
            b.Add((byte)',');
            b.AddRange([0, 0, 0, 0]);
            b.AddRange(BitConverter.GetBytes((ushort)width));
            b.AddRange(BitConverter.GetBytes((ushort)height));
            b.Add(0);
            // LZW, minimum code size 2: clear (4), index 1, end (5) in 3-bit codes.
            b.AddRange([0x02, 0x02, 0x4C, 0x01, 0x00]);
        }
        b.Add((byte)';');
        return [.. b];
    }

    /// <summary>A grayscale PNG of zeros (tiny: zlib compresses a zero row a thousandfold), or only its header and the first rows when cut.</summary>
    public static byte[] Png(int width, int height, int? rows = null)
    {
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var row = new byte[width + 1];
            for (int y = 0; y < (rows ?? height); y++) z.Write(row);
        }
        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // 8 bits, grayscale (colour type 0)
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", raw.ToArray());
        if (rows is null) Chunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>
    /// A 28x28 PNG of zeros with a compressed text chunk (<c>zTXt</c> or <c>iTXt</c>) whose text is <paramref name="textBytes"/>
    /// zeros, deflated: a quarter of a gigabyte of text takes a quarter of a megabyte.
    /// </summary>
    public static byte[] PngWithCompressedText(string type, long textBytes)
    {
        using var text = new MemoryStream();
        // zTXt: keyword, NUL, method 0; iTXt: keyword, NUL, compressed (1), method 0, no language, no translated keyword.
        text.Write(type == "zTXt" ? [.. "Comment"u8, 0, 0] : [.. "Comment"u8, 0, 1, 0, 0, 0]);
        using (var z = new ZLibStream(text, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (long done = 0; done < textBytes; done += zeros.Length) z.Write(zeros, 0, (int)Math.Min(zeros.Length, textBytes - done));
        }
        var plain = Png(28, 28);
        const int signatureAndHeader = 8 + 25;
        var png = new MemoryStream();
        png.Write(plain, 0, signatureAndHeader);
        Chunk(png, type, text.ToArray());
        png.Write(plain, signatureAndHeader, plain.Length - signatureAndHeader);
        return png.ToArray();
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        png.Write(crc);
    }
}
