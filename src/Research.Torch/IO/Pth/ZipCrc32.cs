namespace Research.Torch.IO.Pth;

/// <summary>
/// The zip format's CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320). ZipArchive does not
/// check an entry's CRC when reading it, and a flipped bit in a stored (uncompressed) storage
/// entry would otherwise load as a silently wrong weight.
/// </summary>
internal static class ZipCrc32
{
    private static readonly uint[] Table = MakeTable();

    public static uint Compute(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    private static uint[] MakeTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int bit = 0; bit < 8; bit++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
