namespace Research.Torch;

/// <summary>
/// The BLAS libtorch got in this process. Debian's libtorch is built with a generic BLAS and links
/// `libblas.so.3`, which the system's alternatives resolve to the Netlib reference implementation,
/// OpenBLAS, BLIS or another; which one decides the speed of every matrix multiply (and of batch-1
/// convolutions, which libtorch runs as one). Read from the files the process has mapped, so it is
/// what the loader actually resolved, not what a link or a setting says.
/// </summary>
/// <param name="Name">reference, openblas-openmp, openblas-pthread, openblas-serial, openblas, blis, mkl, atlas, or unknown</param>
/// <param name="Path">the mapped file, symbolic links resolved</param>
public sealed record BlasLibrary(string Name, string Path)
{
    /// <summary>The Netlib reference implementation: correct, unblocked, one core, many times slower than an optimized one.</summary>
    public bool IsReference => Name == "reference";

    /// <summary>The BLAS mapped into this process (libtorch loaded first); null when none is (a libtorch built with MKL statically, or not on Linux).</summary>
    public static BlasLibrary? InProcess()
    {
        _ = torch.version; // loads libtorch, and with it the BLAS it links
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps)) return null;
        var paths = File.ReadLines(maps)
            .Select(line => line.IndexOf('/') is var i and >= 0 ? line[i..] : null)
            .OfType<string>()
            .Distinct()
            .Select(p => Classify(Resolve(p)))
            .OfType<BlasLibrary>()
            .ToList();
        // libtorch's own dependency is libblas.so.3 (Debian's OpenBLAS serves it from a small library that loads
        // libopenblas); a libtorch linked to a BLAS by its own name (OpenBLAS, MKL) maps that one instead.
        return paths.FirstOrDefault(b => System.IO.Path.GetFileName(b.Path).StartsWith("libblas.so", StringComparison.Ordinal)) ?? paths.FirstOrDefault();
    }

    /// <summary>Which BLAS a library file is, by its resolved path; null when the file is not a BLAS.</summary>
    public static BlasLibrary? Classify(string path)
    {
        string file = System.IO.Path.GetFileName(path);
        string dir = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(path) ?? "");
        if (file.StartsWith("libopenblas", StringComparison.Ordinal) || dir.StartsWith("openblas", StringComparison.Ordinal))
            return new(dir is "openblas-openmp" or "openblas-pthread" or "openblas-serial" ? dir : "openblas", path);
        if (file.StartsWith("libblis", StringComparison.Ordinal) || dir.StartsWith("blis", StringComparison.Ordinal)) return new("blis", path);
        if (file.StartsWith("libmkl_", StringComparison.Ordinal)) return new("mkl", path);
        if (file.StartsWith("libatlas", StringComparison.Ordinal) || file.StartsWith("libtatlas", StringComparison.Ordinal) || dir == "atlas")
            return new("atlas", path);
        // Netlib's libblas.so.3 (Debian keeps it in blas/, the alternative's default); another libblas is named by its directory.
        if (file.StartsWith("libblas.so", StringComparison.Ordinal)) return new(dir is "blas" or "lib" or "lib64" or "x86_64-linux-gnu" ? "reference" : "unknown", path);
        return null;
    }

    private static string Resolve(string path)
    {
        try
        {
            return new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
        }
        catch (IOException)
        {
            return path;
        }
    }

    public override string ToString() => $"{Name} {Path}";
}
