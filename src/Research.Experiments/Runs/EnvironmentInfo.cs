using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Research.Models.LatencyTables;
using Research.Torch;

namespace Research.Experiments.Runs;

/// <summary>
/// What a run ran on: git commit, .NET, libtorch, CUDA, device, threads, OS, the CPU's model and vector extensions (they choose
/// the kernels, so the last digits), and which of the project's own kernels were on.
/// </summary>
public sealed record EnvironmentInfo(string? GitCommit, string DotNet, string Libtorch, bool CudaAvailable, int CudaDevices, string Device, int Threads,
    string Os, int ProcessorCount, IReadOnlyList<(string Name, bool On)> Kernels, string Cpu = "", string CpuExtensions = "")
{
    public static EnvironmentInfo Capture(Device device, string? workingDirectory)
    {
        bool cuda = torch.cuda.is_available();
        return new EnvironmentInfo(ReadGitCommit(workingDirectory), RuntimeInformation.FrameworkDescription, torch.version, cuda, cuda ? torch.cuda.device_count() : 0,
            device.ToString(), torch.get_num_threads(), RuntimeInformation.OSDescription, Environment.ProcessorCount, torch.own_kernels,
            MachineKey.CpuModel(), MachineKey.VectorExtensions());
    }

    public JsonObject ToJson() => new()
    {
        ["git_commit"] = GitCommit, ["dotnet"] = DotNet, ["libtorch"] = Libtorch, ["cuda_available"] = CudaAvailable, ["cuda_devices"] = CudaDevices,
        ["device"] = Device, ["threads"] = Threads, ["os"] = Os, ["processors"] = ProcessorCount, ["cpu"] = Cpu, ["cpu_extensions"] = CpuExtensions,
        ["kernels"] = new JsonObject(Kernels.Select(k => KeyValuePair.Create(k.Name, (JsonNode?)JsonValue.Create(k.On)))),
    };

    /// <summary>
    /// `git rev-parse HEAD` in the experiment file's folder, else the current folder, else the
    /// program's; null when git or a repository is absent.
    /// </summary>
    public static string? ReadGitCommit(string? workingDirectory)
    {
        foreach (var dir in new[] { workingDirectory, Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            if (dir is not null && Directory.Exists(dir) && GitHead(dir) is { } commit)
                return commit;
        return null;
    }

    private static string? GitHead(string dir)
    {
        try
        {
            var psi = new ProcessStartInfo("git", ["rev-parse", "HEAD"])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = dir,
            };
            using var p = Process.Start(psi);
            if (p is null) return null;
            var stderr = p.StandardError.ReadToEndAsync();
            var output = p.StandardOutput.ReadToEnd().Trim();
            if (!p.WaitForExit(10_000)) return null;
            _ = stderr.Result;
            return p.ExitCode == 0 && output.Length >= 7 ? output : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return null;
        }
    }
}
