namespace Research.Search.Darts;

/// <summary>
/// The architecture parameters, a group of their own (not among the network weights): op logits
/// α for normal and reduction cells, [edges, ops], and PC-DARTS's edge-normalisation logits β,
/// [edges]. Initialised to 1e-3·N(0, 1) as in DARTS.
/// </summary>
public sealed class ArchitectureParameters : Module
{
    public ArchitectureParameters(int edges, int ops) : base(nameof(ArchitectureParameters))
    {
        AlphasNormal = new Parameter(torch.randn([edges, ops]).mul_(1e-3));
        AlphasReduce = new Parameter(torch.randn([edges, ops]).mul_(1e-3));
        BetasNormal = new Parameter(torch.randn([edges]).mul_(1e-3));
        BetasReduce = new Parameter(torch.randn([edges]).mul_(1e-3));
        register_parameter("alphas_normal", AlphasNormal);
        register_parameter("alphas_reduce", AlphasReduce);
        register_parameter("betas_normal", BetasNormal);
        register_parameter("betas_reduce", BetasReduce);
    }

    public Parameter AlphasNormal { get; }
    public Parameter AlphasReduce { get; }
    public Parameter BetasNormal { get; }
    public Parameter BetasReduce { get; }

    /// <summary>Per node, softmax over its incoming edges' β (nodes read 2, 3, 4, ... states).</summary>
    public static Tensor[] EdgeWeights(Tensor betas, int nodes)
    {
        var result = new Tensor[nodes];
        int offset = 0;
        for (int n = 0; n < nodes; n++)
        {
            result[n] = betas.narrow(0, offset, n + 2).softmax(0);
            offset += n + 2;
        }
        return result;
    }
}
