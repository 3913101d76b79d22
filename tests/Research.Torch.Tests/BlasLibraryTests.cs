namespace Research.Torch.Tests;

public class BlasLibraryTests
{
    [Theory]
    [InlineData("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0", "reference")]
    [InlineData("/usr/lib64/libblas.so.3.9.0", "reference")]
    [InlineData("/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3", "openblas-openmp")]
    [InlineData("/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so", "openblas-pthread")]
    [InlineData("/opt/OpenBLAS/lib/libopenblas.so.0", "openblas")]
    [InlineData("/usr/lib/x86_64-linux-gnu/blis-openmp/libblas.so.3", "blis")]
    [InlineData("/opt/intel/oneapi/mkl/lib/libmkl_rt.so.2", "mkl")]
    [InlineData("/usr/lib/x86_64-linux-gnu/atlas/libblas.so.3", "atlas")]
    [InlineData("/opt/vendor/libblas.so.3", "unknown")]
    public void ABlasFileIsNamedByItsResolvedPath(string path, string name) => Assert.Equal(name, BlasLibrary.Classify(path)?.Name);

    [Theory]
    [InlineData("/usr/lib/x86_64-linux-gnu/libtorch_cpu.so.1.13.0")]
    [InlineData("/usr/lib/x86_64-linux-gnu/lapack/liblapack.so.3.11.0")]
    [InlineData("/usr/lib/x86_64-linux-gnu/libgomp.so.1.0.0")]
    public void OtherLibrariesAreNoBlas(string path) => Assert.Null(BlasLibrary.Classify(path));

    [Fact]
    public void TheBlasInThisProcessIsTheFileTheSystemsLibblasLeadsTo()
    {
        var blas = BlasLibrary.InProcess();
        Assert.NotNull(blas); // Debian's libtorch links libblas.so.3
        Assert.True(File.Exists(blas.Path), blas.Path);
        // libtorch asks the loader for libblas.so.3; on Debian that is the alternatives' link in the multiarch directory.
        const string link = "/usr/lib/x86_64-linux-gnu/libblas.so.3";
        if (File.Exists(link)) Assert.Equal(new FileInfo(link).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? link, blas.Path);
        Assert.Equal(BlasLibrary.Classify(blas.Path), blas);
    }
}
