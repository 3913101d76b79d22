using Research.Torch.Distributed;

namespace Research.Torch.Tests;

/// <summary>Which rank a process is, from launcher, Slurm and MPI environments (pure: no rendezvous).</summary>
public class DistributedEnvironmentTests
{
    private static DistributedEnvironment From(params (string Key, string Value)[] vars) =>
        DistributedEnvironment.From(vars.ToDictionary(v => v.Key, v => v.Value));

    [Fact]
    public void NoRankVariablesMeanASingleProcess()
    {
        var env = From(("HOME", "/root"));
        Assert.False(env.IsDistributed);
        Assert.Equal(1, env.WorldSize);
    }

    [Fact]
    public void TorchrunStyleVariables()
    {
        var env = From(("RANK", "3"), ("WORLD_SIZE", "4"), ("LOCAL_RANK", "1"), ("LOCAL_WORLD_SIZE", "2"), ("MASTER_ADDR", "node7"), ("MASTER_PORT", "1234"));
        Assert.Equal(new DistributedEnvironment(3, 4, 1, 2, "node7", 1234, "env"), env);
        Assert.False(env.IsSingleHost);
        Assert.Equal(4, env.DefaultThreads(8));
    }

    [Fact]
    public void OneHostNeedsNoMasterAddress()
    {
        var env = From(("RANK", "1"), ("WORLD_SIZE", "2"));
        Assert.Equal(("127.0.0.1", 29500, 1, 2), (env.MasterAddress, env.MasterPort, env.LocalRank, env.LocalWorldSize));
        Assert.True(env.IsSingleHost);
        Assert.Equal(1, env.DefaultThreads(2));
    }

    [Fact]
    public void SlurmTasksFromSrun()
    {
        var env = From(("SLURM_PROCID", "5"), ("SLURM_NTASKS", "8"), ("SLURM_STEP_NUM_TASKS", "6"), ("SLURM_LOCALID", "1"), ("SLURM_NODEID", "2"),
            ("SLURM_STEP_TASKS_PER_NODE", "2(x3)"), ("SLURM_STEP_NODELIST", "gpu[03-05,09]"), ("SLURM_JOB_ID", "123456"));
        Assert.Equal(new DistributedEnvironment(5, 6, 1, 2, "gpu03", 29500 + 456, "slurm"), env);
    }

    [Theory]
    [InlineData("node1", "node1")]
    [InlineData("node1,node2", "node1")]
    [InlineData("gpu[03-05,09],cpu1", "gpu03")]
    [InlineData("rack2-n[10-12]-ib", "rack2-n10-ib")]
    [InlineData("a,b[1-2]", "a")]
    public void FirstHostOfANodeList(string list, string first) => Assert.Equal(first, DistributedEnvironment.FirstHost(list));

    [Theory]
    [InlineData("4", 0, 4)]
    [InlineData("2(x3),1", 2, 2)]
    [InlineData("2(x3),1", 3, 1)]
    public void SlurmTasksPerNode(string perNode, int node, int tasks) => Assert.Equal(tasks, DistributedEnvironment.TasksOnNode(perNode, node));

    [Fact]
    public void OpenMpiAndMpichVariables()
    {
        Assert.Equal((2, 4, 0, 2), Ranks(From(("OMPI_COMM_WORLD_RANK", "2"), ("OMPI_COMM_WORLD_SIZE", "4"), ("OMPI_COMM_WORLD_LOCAL_RANK", "0"),
            ("OMPI_COMM_WORLD_LOCAL_SIZE", "2"), ("MASTER_ADDR", "head"))));
        Assert.Equal((1, 2, 1, 2), Ranks(From(("PMI_RANK", "1"), ("PMI_SIZE", "2"))));
        static (int, int, int, int) Ranks(DistributedEnvironment e) => (e.Rank, e.WorldSize, e.LocalRank, e.LocalWorldSize);
    }

    [Theory]
    [InlineData("RANK=2,WORLD_SIZE=2", "rank 2 is outside a world of 2")]
    [InlineData("RANK=x,WORLD_SIZE=2", "RANK=x: expected an integer")]
    [InlineData("RANK=0", "WORLD_SIZE is not set")]
    [InlineData("RANK=0,WORLD_SIZE=4,LOCAL_WORLD_SIZE=2", "MASTER_ADDR is required")]
    [InlineData("RANK=0,WORLD_SIZE=2,MASTER_PORT=70000", "MASTER_PORT 70000")]
    [InlineData("OMPI_COMM_WORLD_RANK=0,OMPI_COMM_WORLD_SIZE=4,OMPI_COMM_WORLD_LOCAL_SIZE=2", "openmpi: MASTER_ADDR is required")]
    public void InconsistentVariablesAreBadInputNamingThem(string vars, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => From(vars.Split(',').Select(v => (v.Split('=')[0], v.Split('=')[1])).ToArray()));
        Assert.Contains(message, e.Message);
    }
}
