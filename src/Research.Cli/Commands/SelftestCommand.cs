using Research.Cli.SelfTest;

namespace Research.Cli.Commands;

/// <summary>`research selftest [--device cpu|cuda[:N]]`: the device checks as `check NAME ok|FAIL|skip detail` lines; exit 1 on any FAIL.</summary>
public static class SelftestCommand
{
    public static Command Create()
    {
        var device = new Option<string>("--device") { Description = "the device to check: cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Fashion-MNIST's files for the training check (default: Debian's)" };
        var threads = CommonOptions.Threads();
        var cmd = new Command("selftest", "check a device end to end (tensors, every block family, bf16, channels-last, RNG, memory, NaN guard, c10d, CUDA graphs, a real run)")
            { device, dataDir, threads };
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            var d = Training.ExecutionConfig.Settings.Validate(new Training.ExecutionConfig { Device = parse.GetValue(device)! }).ResolveDevice();
            o.WriteLine($"selftest device {d} libtorch {torch.version} cuda_built {(torch.cuda.is_built() ? "true" : "false")} threads {torch.get_num_threads()}");
            int failed = 0, passed = 0, skipped = 0;
            foreach (var result in SelfTestRunner.Run(d, parse.GetValue(dataDir)))
            {
                o.WriteLine(result.ToString());
                o.Flush();
                switch (result.Status)
                {
                    case "FAIL": failed++; break;
                    case "skip": skipped++; break;
                    default: passed++; break;
                }
            }
            o.WriteLine($"selftest {passed} ok, {failed} failed, {skipped} skipped");
            return failed == 0 ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return cmd;
    }
}
