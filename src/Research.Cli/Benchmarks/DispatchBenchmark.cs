using System.Diagnostics;

namespace Research.Cli.Benchmarks;

/// <summary>
/// Per-op dispatch cost: N additions of two 1×1 tensors (or, with autograd, a tiny
/// (x·w).sum().backward()), timed after a warm-up — the same loops as
/// shared/bench/pytorch_dispatch.py.
/// </summary>
public static class DispatchBenchmark
{
    public static double NanosecondsPerOp(int ops, bool autograd)
    {
        using var x = torch.ones(1, 1);
        using var y = torch.ones(1, 1);
        using var w = torch.ones([1, 1], requires_grad: true);
        Loop(Math.Min(ops, 10_000), autograd, x, y, w);
        var sw = Stopwatch.StartNew();
        Loop(ops, autograd, x, y, w);
        return sw.Elapsed.TotalNanoseconds / ops;
    }

    private static void Loop(int n, bool autograd, Tensor x, Tensor y, Tensor w)
    {
        if (!autograd)
        {
            for (int i = 0; i < n; i++)
            {
                using var r = x + y;
            }
            return;
        }
        for (int i = 0; i < n; i++)
        {
            using var scope = torch.NewDisposeScope();
            (x * w).sum().backward();
        }
    }
}
