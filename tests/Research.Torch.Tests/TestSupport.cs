using System.Globalization;

namespace Research.Torch.Tests;

/// <summary>
/// Tests that touch process-wide state (the global RNG seed, resident memory) run alone:
/// xunit runs this collection after the parallel ones, with nothing beside it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial (global state)";
}

/// <summary>A fact that runs only when libtorch sees a CUDA device; otherwise it is reported as skipped.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        try
        {
            if (!torch.cuda.is_available()) Skip = "CUDA is not available (CPU-only libtorch or no GPU)";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            Skip = $"the native library could not be loaded to ask for CUDA: {e.Message}";
        }
    }
}

internal static class Check
{
    /// <summary>
    /// Asserts equal shapes and max |actual - expected| within <paramref name="tolerance"/> of expected's
    /// largest magnitude; <paramref name="sides"/> names the two in the message ("kernel - libtorch").
    /// </summary>
    public static void CloseToLargest(Tensor expected, Tensor actual, string what, double tolerance, string sides)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var e = expected.detach().to(ScalarType.Float64);
        using var a = actual.detach().to(ScalarType.Float64);
        using var diff = (a - e).abs().max();
        using var scale = e.abs().max();
        double d = diff.item<double>(), s = Math.Max(scale.item<double>(), 1e-30);
        Assert.True(d <= tolerance * s, $"{what}: max |{sides}| = {d:g3}, {d / s:g3} of the largest |expected| {s:g3} (allowed {tolerance:g1})");
    }

    /// <summary>Asserts shape and every element within atol + rtol·|expected|.</summary>
    public static void Close(double[] expected, Tensor actual, long[]? shape = null, double atol = 1e-6, double rtol = 1e-6)
    {
        if (shape != null) Assert.Equal(shape, actual.shape);
        var got = actual.ToArray<double>();
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double tol = atol + rtol * Math.Abs(expected[i]);
            if (!(Math.Abs(got[i] - expected[i]) <= tol))
                Assert.Fail($"element {i}: expected {expected[i].ToString("R", CultureInfo.InvariantCulture)}, got {got[i].ToString("R", CultureInfo.InvariantCulture)} (tol {tol:g3})\n" +
                            $"expected [{string.Join(", ", expected)}]\n     got [{string.Join(", ", got)}]");
        }
    }

    public static void Close(double expected, double actual, double tol = 1e-6)
    {
        if (!(Math.Abs(expected - actual) <= tol))
            Assert.Fail($"expected {expected:R}, got {actual:R} (tol {tol:g3})");
    }

    /// <summary>Exact values and dtype for integral / bool tensors.</summary>
    public static void Longs(long[] expected, Tensor actual, long[]? shape = null)
    {
        if (shape != null) Assert.Equal(shape, actual.shape);
        Assert.Equal(expected, actual.ToArray<long>());
    }

    public static void Bools(bool[] expected, Tensor actual)
    {
        Assert.Equal(ScalarType.Bool, actual.dtype);
        Assert.Equal(expected, actual.ToArray<bool>());
    }
}

/// <summary>Reproducible host-side data (System.Random, so it never races the torch RNG).</summary>
internal static class Data
{
    public static double[] Uniform(int n, int seed, double lo = -1, double hi = 1)
    {
        var r = new Random(seed);
        var a = new double[n];
        for (int i = 0; i < n; i++) a[i] = lo + (hi - lo) * r.NextDouble();
        return a;
    }

    public static int Numel(long[] shape)
    {
        long n = 1;
        foreach (var s in shape) n *= s;
        return checked((int)n);
    }

    public static (double[] data, long[] shape) Input(long[] shape, int seed, double lo = -1, double hi = 1) =>
        (Uniform(Numel(shape), seed, lo, hi), shape);
}

/// <summary>
/// Checks autograd's gradients against central finite differences in float64:
/// each element of each input is moved by ±eps and (f(x+eps) - f(x-eps)) / 2eps
/// is compared with the analytic gradient from backward().
/// </summary>
internal static class GradCheck
{
    /// <summary>f must map the inputs (float64 leaves) to a one-element tensor.</summary>
    public static void Run(Func<Tensor[], Tensor> f, (double[] data, long[] shape)[] inputs,
        double eps = 1e-6, double atol = 1e-5, double rtol = 1e-5)
    {
        using var scope = torch.NewDisposeScope();

        // Analytic gradients.
        var leaves = inputs.Select(i => torch.tensor(i.data, i.shape, requires_grad: true)).ToArray();
        var y = f(leaves);
        Assert.Equal(1, y.numel());
        Assert.Equal(ScalarType.Float64, y.dtype);
        y.backward();
        var analytic = new double[inputs.Length][];
        for (int k = 0; k < inputs.Length; k++)
        {
            var g = leaves[k].grad;
            Assert.True(g != null, $"input {k} got no gradient");
            Assert.Equal(inputs[k].shape, g!.shape);
            analytic[k] = g.ToArray<double>();
            // A gradient that is zero everywhere would make the comparison vacuous.
            Assert.True(analytic[k].Any(v => Math.Abs(v) > 1e-4), $"input {k}: gradient is (nearly) zero everywhere");
        }

        // Numerical gradients.
        using var noGrad = torch.no_grad();
        for (int k = 0; k < inputs.Length; k++)
        {
            var data = (double[])inputs[k].data.Clone();
            for (int i = 0; i < data.Length; i++)
            {
                double orig = data[i];
                data[i] = orig + eps;
                double fp = Eval(f, inputs, k, data);
                data[i] = orig - eps;
                double fm = Eval(f, inputs, k, data);
                data[i] = orig;
                double numeric = (fp - fm) / (2 * eps);
                double a = analytic[k][i];
                double tol = atol + rtol * Math.Abs(numeric);
                if (!(Math.Abs(numeric - a) <= tol))
                    Assert.Fail($"input {k} element {i}: analytic {a:R} vs numeric {numeric:R} (|diff| {Math.Abs(numeric - a):g3} > tol {tol:g3})");
            }
        }
    }

    private static double Eval(Func<Tensor[], Tensor> f, (double[] data, long[] shape)[] inputs, int k, double[] perturbed)
    {
        using var scope = torch.NewDisposeScope();
        var ts = new Tensor[inputs.Length];
        for (int j = 0; j < inputs.Length; j++) ts[j] = torch.tensor(j == k ? perturbed : inputs[j].data, inputs[j].shape);
        return f(ts).item<double>();
    }

    /// <summary>A fixed, non-uniform projection to a scalar, so every output element gets its own upstream gradient.</summary>
    public static Tensor Project(Tensor output, int seed = 7)
    {
        var w = torch.tensor(Data.Uniform(checked((int)output.numel()), seed, -1, 1), output.shape);
        return (output * w).sum();
    }
}

internal static class ProcessMemory
{
    /// <summary>Resident set size in bytes, from /proc/self/status (VmRSS).</summary>
    public static long ResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // "VmRSS:   123456 kB"
            return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
        }
        throw new InvalidOperationException("VmRSS not found in /proc/self/status");
    }
}
