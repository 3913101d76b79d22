using System.CommandLine;
using System.Globalization;
using Research.Cli.Benchmarks;
using Research.Torch;

namespace Research.Cli.Commands;

/// <summary>`research bench ...`: benchmarks that print `name value` lines, optionally beside PyTorch's.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "benchmarks (figures as `name value` lines)");
        bench.Subcommands.Add(Dispatch());
        return bench;
    }

    private static Option<string?> PyTorchScript(string file) => new("--pytorch")
    {
        Description = $"also run this PyTorch reference script (e.g. ../shared/bench/{file}) with the same settings and print the ratio",
    };

    private static Command Dispatch()
    {
        var ops = new Option<int>("--ops") { Description = "operations to time", DefaultValueFactory = _ => 100_000 };
        var autograd = new Option<bool>("--autograd") { Description = "time (x*w).sum().backward() instead of x+y" };
        var threads = CommonOptions.Threads();
        threads.DefaultValueFactory = _ => 1;
        var pytorch = PyTorchScript("pytorch_dispatch.py");
        var cmd = new Command("dispatch", "per-op dispatch overhead on 1x1 tensors") { ops, autograd, threads, pytorch };
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            int n = parse.GetValue(ops);
            if (n < 1) throw new ArgumentException($"--ops {n}: must be at least 1");
            int t = parse.GetValue(threads);
            CommonOptions.ApplyThreads(t);
            bool ag = parse.GetValue(autograd);
            double ours = DispatchBenchmark.NanosecondsPerOp(n, ag);
            o.WriteLine($"libtorch {torch.version}");
            o.WriteLine($"case {(ag ? "autograd" : "add")} ops {n} threads {torch.get_num_threads()}");
            if (parse.GetValue(pytorch) is { } script)
            {
                var args = new List<string> { "--ops", n.ToString(CultureInfo.InvariantCulture), "--threads", Math.Max(t, 1).ToString(CultureInfo.InvariantCulture) };
                if (ag) args.Add("--autograd");
                var figs = PyTorchReference.Run(script, args);
                double theirs = PyTorchReference.Number(figs, "ns_per_op");
                o.WriteLine($"pytorch_ns_per_op {theirs:F0}");
                o.WriteLine($"speedup_vs_pytorch {theirs / ours:F2}");
            }
            o.WriteLine($"ns_per_op {ours:F0}");
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
