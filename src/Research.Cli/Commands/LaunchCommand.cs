using System.Globalization;
using Research.Cli.Distributed;

namespace Research.Cli.Commands;

/// <summary>
/// `research launch`: starts N ranks of any research command on this host, as torchrun does
/// (<see cref="RankLauncher"/>); with --nnodes, run it once on every node. Ranks that Slurm or an
/// MPI launcher starts need no launcher: their environment is read directly.
/// </summary>
public static class LaunchCommand
{
    public static Command Create()
    {
        var perNode = new Option<int>("--nproc-per-node") { Description = "ranks to start on this host", Required = true };
        var nodes = new Option<int>("--nnodes") { Description = "hosts taking part (run launch on each)", DefaultValueFactory = _ => 1 };
        var nodeRank = new Option<int>("--node-rank") { Description = "this host's index, 0-(nnodes-1); node 0 hosts the rendezvous", DefaultValueFactory = _ => 0 };
        var address = new Option<string>("--master-addr") { Description = "node 0's address, reachable from every node", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int?>("--master-port") { Description = "the rendezvous port on node 0 (default: a free one on a single host, else 29500)" };
        var logDir = new Option<string?>("--log-dir") { Description = "where rank-N.log go (default: runs/launch/<time>)" };
        var grace = new Option<int>("--grace-seconds")
        {
            Description = "after a rank fails, seconds the others get to stop on their own (naming it) before they are killed",
            DefaultValueFactory = _ => 30,
        };
        var command = new Argument<string[]>("command") { Description = "the research command and its options, after --", Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("launch", "start N ranks of a research command on this host (torchrun-style: per-rank logs, the first failure's exit code)")
            { perNode, nodes, nodeRank, address, port, logDir, grace, command };
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var plan = new LaunchPlan
            {
                ProcessesPerNode = parse.GetValue(perNode), Nodes = parse.GetValue(nodes), NodeRank = parse.GetValue(nodeRank),
                MasterAddress = parse.GetValue(address)!, MasterPort = parse.GetValue(port),
                LogDir = parse.GetValue(logDir) ?? Path.Combine("runs", "launch", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)),
                Grace = TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(grace))), Command = parse.GetValue(command)!,
            };
            return RankLauncher.Run(plan, o, parse.InvocationConfiguration.Error);
        });
        return cmd;
    }
}
