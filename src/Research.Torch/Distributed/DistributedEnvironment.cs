using System.Globalization;
using System.Text.RegularExpressions;

namespace Research.Torch.Distributed;

/// <summary>
/// Which rank this process is, read from its environment the way torch.distributed's env:// does:
/// <c>RANK</c>, <c>WORLD_SIZE</c>, <c>LOCAL_RANK</c>, <c>LOCAL_WORLD_SIZE</c>, <c>MASTER_ADDR</c>,
/// <c>MASTER_PORT</c> (set by `research launch` and torchrun); else a Slurm task's (<c>srun</c>:
/// <c>SLURM_PROCID</c>, <c>SLURM_NTASKS</c>, <c>SLURM_LOCALID</c>, the first host of the step's node
/// list); else an MPI launcher's (Open MPI, MPICH/Intel MPI, MVAPICH); else a single process.
/// </summary>
public sealed partial record DistributedEnvironment(int Rank, int WorldSize, int LocalRank, int LocalWorldSize, string MasterAddress, int MasterPort,
    string Source)
{
    public const int DefaultPort = 29500;

    public static DistributedEnvironment Single { get; } = new(0, 1, 0, 1, "127.0.0.1", DefaultPort, "single");

    public bool IsDistributed => WorldSize > 1;

    /// <summary>All ranks on this host: the rendezvous and Gloo can stay on the loopback interface.</summary>
    public bool IsSingleHost => LocalWorldSize == WorldSize;

    /// <summary>libtorch threads for this rank when none are asked for: the cores shared among this host's ranks.</summary>
    public int DefaultThreads(int cores) => Math.Max(1, cores / Math.Max(1, LocalWorldSize));

    public static DistributedEnvironment FromProcess()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            if (e.Key is string k && e.Value is string v) env[k] = v;
        return From(env);
    }

    /// <summary>The environment's rank, or <see cref="Single"/>; inconsistent variables are an ArgumentException naming them.</summary>
    public static DistributedEnvironment From(IReadOnlyDictionary<string, string> env)
    {
        if (env.ContainsKey("RANK") || env.ContainsKey("WORLD_SIZE")) return FromTorchStyle(env);
        if (env.ContainsKey("SLURM_PROCID") && (env.ContainsKey("SLURM_STEP_NUM_TASKS") || env.ContainsKey("SLURM_NTASKS"))) return FromSlurm(env);
        foreach (var (rank, size, local, localSize, name) in MpiVariables)
            if (env.ContainsKey(rank) && env.ContainsKey(size)) return FromMpi(env, rank, size, local, localSize, name);
        return Single;
    }

    private static readonly (string Rank, string Size, string Local, string LocalSize, string Name)[] MpiVariables =
    [
        ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_SIZE", "openmpi"),
        ("PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID", "MPI_LOCALNRANKS", "mpich"),
        ("MV2_COMM_WORLD_RANK", "MV2_COMM_WORLD_SIZE", "MV2_COMM_WORLD_LOCAL_RANK", "MV2_COMM_WORLD_LOCAL_SIZE", "mvapich"),
    ];

    private static DistributedEnvironment FromTorchStyle(IReadOnlyDictionary<string, string> env)
    {
        int world = Integer(env, "WORLD_SIZE", null, min: 1);
        int rank = Integer(env, "RANK", null, min: 0);
        int localWorld = Integer(env, "LOCAL_WORLD_SIZE", world, min: 1);
        int local = Integer(env, "LOCAL_RANK", rank % localWorld, min: 0);
        return Checked(rank, world, local, localWorld, Address(env, localWorld == world, "MASTER_ADDR is required when the ranks span hosts"),
            Integer(env, "MASTER_PORT", DefaultPort, min: 1), "env");
    }

    private static DistributedEnvironment FromSlurm(IReadOnlyDictionary<string, string> env)
    {
        // srun sets the step's own counts; the job's (SLURM_NTASKS) stand in for a step that has none.
        string worldKey = env.ContainsKey("SLURM_STEP_NUM_TASKS") ? "SLURM_STEP_NUM_TASKS" : "SLURM_NTASKS";
        int world = Integer(env, worldKey, null, min: 1);
        int rank = Integer(env, "SLURM_PROCID", null, min: 0);
        int local = Integer(env, "SLURM_LOCALID", 0, min: 0);
        int node = Integer(env, "SLURM_NODEID", 0, min: 0);
        string? perNode = env.GetValueOrDefault("SLURM_STEP_TASKS_PER_NODE") ?? env.GetValueOrDefault("SLURM_TASKS_PER_NODE");
        int localWorld = perNode is null ? world : TasksOnNode(perNode, node);
        string? nodes = env.GetValueOrDefault("SLURM_STEP_NODELIST") ?? env.GetValueOrDefault("SLURM_JOB_NODELIST") ?? env.GetValueOrDefault("SLURM_NODELIST");
        string address = env.GetValueOrDefault("MASTER_ADDR") is { Length: > 0 } given ? given
            : nodes is not null ? FirstHost(nodes)
            : localWorld == world ? "127.0.0.1"
            : throw new ArgumentException("Slurm: neither MASTER_ADDR nor a node list (SLURM_STEP_NODELIST, SLURM_JOB_NODELIST) tells where rank 0 runs");
        // Jobs sharing a node must not share a port: offset the default by the job id.
        int defaultPort = env.TryGetValue("SLURM_JOB_ID", out var job) && long.TryParse(job, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? DefaultPort + (int)(id % 1000) : DefaultPort;
        return Checked(rank, world, local, localWorld, address, Integer(env, "MASTER_PORT", defaultPort, min: 1), "slurm");
    }

    private static DistributedEnvironment FromMpi(IReadOnlyDictionary<string, string> env, string rankKey, string sizeKey, string localKey,
        string localSizeKey, string name)
    {
        int world = Integer(env, sizeKey, null, min: 1);
        int rank = Integer(env, rankKey, null, min: 0);
        int localWorld = Integer(env, localSizeKey, world, min: 1);
        int local = Integer(env, localKey, rank % localWorld, min: 0);
        return Checked(rank, world, local, localWorld,
            Address(env, localWorld == world, $"{name}: MASTER_ADDR is required when the ranks span hosts (the address of rank 0's host)"),
            Integer(env, "MASTER_PORT", DefaultPort, min: 1), name);
    }

    private static string Address(IReadOnlyDictionary<string, string> env, bool singleHost, string missing) =>
        env.GetValueOrDefault("MASTER_ADDR") is { Length: > 0 } a ? a : singleHost ? "127.0.0.1" : throw new ArgumentException(missing);

    private static DistributedEnvironment Checked(int rank, int world, int local, int localWorld, string address, int port, string source)
    {
        if (rank >= world) throw new ArgumentException($"{source}: rank {rank} is outside a world of {world} (ranks are 0-{world - 1})");
        if (localWorld > world) throw new ArgumentException($"{source}: {localWorld} local ranks in a world of {world}");
        if (local >= localWorld) throw new ArgumentException($"{source}: local rank {local} is outside this host's {localWorld} ranks");
        if (port > 65535) throw new ArgumentException($"{source}: MASTER_PORT {port} is not a TCP port (1-65535)");
        return new DistributedEnvironment(rank, world, local, localWorld, address, port, source);
    }

    private static int Integer(IReadOnlyDictionary<string, string> env, string key, int? fallback, int min)
    {
        if (!env.TryGetValue(key, out var text) || text.Length == 0)
            return fallback ?? throw new ArgumentException($"{key} is not set (it goes with the other rank variables)");
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v < min)
            throw new ArgumentException($"{key}={text}: expected an integer >= {min}");
        return v;
    }

    /// <summary>Slurm's compressed tasks-per-node list ("2(x3),1") expanded and read at a node's index.</summary>
    public static int TasksOnNode(string perNode, int node)
    {
        var counts = new List<int>();
        foreach (var part in perNode.Split(','))
        {
            var m = TasksPattern().Match(part.Trim());
            if (!m.Success) throw new ArgumentException($"SLURM_TASKS_PER_NODE={perNode}: '{part}' is not N or N(xK)");
            int n = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            int times = m.Groups[2].Success ? int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : 1;
            counts.AddRange(Enumerable.Repeat(n, times));
        }
        if (node >= counts.Count) throw new ArgumentException($"SLURM_TASKS_PER_NODE={perNode} lists {counts.Count} node(s); this is node {node}");
        return counts[node];
    }

    /// <summary>The first host of a Slurm node list: "gpu[03-05,09],cpu1" gives gpu03.</summary>
    public static string FirstHost(string nodeList)
    {
        var text = nodeList.Trim();
        int bracket = text.IndexOf('[');
        int comma = text.IndexOf(',');
        if (bracket < 0 || (comma >= 0 && comma < bracket)) return comma < 0 ? text : text[..comma];
        int close = text.IndexOf(']', bracket);
        if (close < 0) throw new ArgumentException($"node list '{nodeList}': '[' without ']'");
        string first = text[(bracket + 1)..close].Split(',')[0].Split('-')[0];
        string suffix = text[(close + 1)..];
        if (suffix.IndexOf(',') is var next and >= 0) suffix = suffix[..next];
        return text[..bracket] + first + suffix;
    }

    [GeneratedRegex(@"^([0-9]+)(?:\(x([0-9]+)\))?$")]
    private static partial Regex TasksPattern();
}
