using Research.Cli.Distributed;
using System.Text.Json;
using System.Text.Json.Nodes;
using Research.Experiments.Config;
using Research.Experiments.Pipeline;
using Research.Experiments.Reports;

namespace Research.Cli.Commands;

/// <summary>
/// `research run EXPERIMENT.yaml`: validates the file (every error at once, nothing created when it
/// is invalid), then runs its stages in runs/&lt;name&gt;-&lt;hash&gt;/; running it again continues there.
/// </summary>
public static class RunCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("experiment") { Description = "the experiment file (YAML or JSON; schema: experiments/README.md)" };
        var outDir = CommonOptions.Out();
        outDir.Description = "where run directories go, as <name>-<hash> (default: runs)";
        var resume = CommonOptions.Resume();
        resume.Description = "continue a run that was killed or failed (finished stages are kept; a stage resumes from its checkpoints)";
        var threads = CommonOptions.Threads();
        var check = new Option<bool>("--check") { Description = "only validate the file: print the run directory and the resolved config, run nothing" };
        var serve = new Option<bool>("--serve")
        {
            Description = "serve the live view of the run (and of the other runs beside it) while it runs, and print its URL (as `research serve`)",
        };
        var port = ServeCommand.Port();
        var host = ServeCommand.Host();
        port.Description = "with --serve: " + port.Description;
        host.Description = "with --serve: " + host.Description;
        var cmd = new Command("run", "run an experiment file: darts → grid → ablation → scale → train → report, resumable, with CSV reports and a plot")
            { file, outDir, resume, threads, check, serve, port, host };
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var err = parse.InvocationConfiguration.Error;
            var config = ExperimentFile.Load(parse.GetValue(file)!);
            string root = parse.GetValue(outDir) ?? "runs";
            string dir = ExperimentRunner.RunDirectory(config, root);
            if (parse.GetValue(check))
            {
                o.WriteLine($"valid {parse.GetValue(file)}");
                o.WriteLine($"run_dir {dir}");
                o.WriteLine($"stages {string.Join(",", ExperimentRunner.ConfiguredStages(config))}");
                o.WriteLine(JsonNode.Parse(config.CanonicalJson)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = CanonicalJson.Options.Encoder }));
                return ExitCodes.Ok;
            }
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            using var world = CommandWorld.Join(config.Execution, config.Execution.ResolveDevice(), o);
            // The live view: rank 0 serves the runs' folder while the stages run, and stops with them.
            Dashboard.DashboardServer? server = null;
            if (parse.GetValue(serve) && (world?.IsMain ?? true))
            {
                Directory.CreateDirectory(root);
                server = ServeCommand.Start(root, parse.GetValue(host)!, parse.GetValue(port), o, err).GetAwaiter().GetResult();
                o.WriteLine($"live {server.RunUrl(dir)}");
                o.Flush();
            }
            using var stopServer = new ServerStop(server);
            RunOutcome outcome;
            try
            {
                outcome = ExperimentRunner.Run(config, new RunOptions { OutRoot = root, Resume = parse.GetValue(resume), Output = o, World = world });
            }
            catch (StageFailedException e)
            {
                err.WriteLine($"error: {e.Message}");
                // Another rank's failure is named in the message; our own is noted for the others to name.
                if (e.InnerException is not Torch.Distributed.DistributedException) CommandWorld.NoteFailure(e.Message);
                err.WriteLine($"the run is in {e.RunDir} (log.txt, manifest.json); fix the cause and run again with --resume");
                return e.IsBadInput ? ExitCodes.BadInput : ExitCodes.Failure;
            }
            o.WriteLine($"run_dir {outcome.RunDir}");
            foreach (var (stage, action, seconds) in outcome.Stages)
                o.WriteLine($"stage {stage} {action} {seconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)}");
            if (File.Exists(Path.Combine(outcome.RunDir, "summary.md")))
                ReportCommand.PrintTable(RunReport.Read(outcome.RunDir, config.Stages.Report?.Latency.Table is { } t ? config.ResolvePath(t) : null), o);
            CommandWorld.Leave(world);
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>Stops the live view when the run ends, however it ends.</summary>
    private sealed class ServerStop(Dashboard.DashboardServer? server) : IDisposable
    {
        public void Dispose() => server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
