using System.Buffers.Binary;

namespace Research.Torch.IO.Pth;

/// <summary>
/// Names what a file that is not a zip archive most likely is, from its first bytes, so the
/// refusal can say what to do instead: re-save a legacy torch.save file in the zip format,
/// load a safetensors file with <see cref="SafeTensors.Load(string, Device?, Action{IReadOnlyList{WeightEntry}}?)"/>.
/// </summary>
internal static class PthFileKind
{
    /// <summary>How many leading bytes <see cref="WhyNotZip"/> looks at.</summary>
    public const int SniffBytes = 16;

    private const string Resave = "re-save it with torch.save(state_dict, f) in PyTorch >= 1.6, whose default is the zip format";

    // Legacy torch.save first pickles the magic number 0x1950a86a20f9469cfc6c as a LONG1:
    // PROTO 2, LONG1 of 10 bytes, then the number little-endian.
    private static readonly byte[] LegacyMagic = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

    /// <summary>True when the bytes start like a zip archive (a local file header, or the end record of an empty one).</summary>
    public static bool LooksLikeZip(ReadOnlySpan<byte> head) =>
        head.Length >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6));

    /// <summary>Why a file with these first bytes and this length is refused.</summary>
    public static string WhyNotZip(ReadOnlySpan<byte> head, long fileLength)
    {
        if (fileLength == 0) return "the file is empty; it is not a PyTorch state dict";
        if (head.StartsWith(LegacyMagic))
            return "the file is in PyTorch's legacy format (torch.save before 1.6, or with _use_new_zipfile_serialization=False), " +
                   $"which this reader does not read because it is a bare pickle stream; {Resave}";
        if (head.Length >= 2 && head[0] == 0x80 && head[1] <= 5)
            return $"the file is a bare pickle (protocol {head[1]}), not the zip archive torch.save writes; {Resave}";
        if (head.Length >= 9 && head[8] == (byte)'{' && BinaryPrimitives.ReadUInt64LittleEndian(head) <= (ulong)(fileLength - 8))
            return "the file looks like a safetensors file (an 8-byte header length, then JSON); load it with SafeTensors.Load instead";
        return $"the file is not a zip archive (it starts with {Convert.ToHexString(head[..Math.Min(head.Length, 8)])}), " +
               $"so it is not a PyTorch >= 1.6 state dict; if it was written by torch.save, {Resave}";
    }
}
