using Research.Models.Weights;

namespace Research.Models.Blocks;

/// <summary>
/// Everything the framework knows about one kind of block, in one place: its code and grammar in
/// the text form (<c>ir_r2_k3_s2_e6_c24</c>), its validation, the module it builds, its
/// parameter and MAC rule (counted from the spec, without building), its ONNX emission, and its
/// tensor names in other libraries where it has them. Kinds are registered explicitly in a
/// <see cref="BlockKindRegistry"/>; a user's own kind registers the same way from their assembly.
/// </summary>
public abstract class BlockKind
{
    /// <summary>The first token of the text form: lower-case letters, unique in a registry.</summary>
    public abstract string Code { get; }

    /// <summary>One line for people (<c>research models kinds</c>, docs).</summary>
    public abstract string Description { get; }

    /// <summary>The optional tokens this kind takes (r, s and c are always taken).</summary>
    public abstract BlockTokens Accepts { get; }

    /// <summary>The tokens a spec of this kind must give.</summary>
    public virtual BlockTokens Requires => BlockTokens.None;

    /// <summary>Accepted tokens written even at their default value (k and a for most kinds).</summary>
    public virtual BlockTokens AlwaysWritten => BlockTokens.Kernel | BlockTokens.Activation;

    /// <summary>Text forms that exercise the kind (the registry test builds, counts and exports each one).</summary>
    public abstract IReadOnlyList<string> Examples { get; }

    /// <summary>Rules of this kind beyond the grammar; call <paramref name="fail"/> with the reason.</summary>
    public virtual void Validate(BlockSpec spec, Action<string> fail) { }

    /// <summary>Output channels must be a multiple of this (the compound scaler rounds widths to it): 2 for units that split in halves, 4·g for ShuffleNet v1.</summary>
    public virtual int WidthMultiple(BlockSpec spec) => 1;

    /// <summary>Input channels must be a multiple of this (the scaler rounds the block before to it): g for grouped convolutions.</summary>
    public virtual int InputMultiple(BlockSpec spec) => 1;

    /// <summary>Rules that need the input width (null: fine), checked when a network is validated.</summary>
    public virtual string? CheckInput(BlockPlace place) => null;

    /// <summary>The module for one block instance.</summary>
    public abstract Module<Tensor, Tensor> Build(BlockPlace place, BlockContext ctx);

    /// <summary>Its layers' parameters and MACs, named by module path under <paramref name="path"/>; the walker holds the input shape.</summary>
    public abstract void Cost(CostWalker walker, string path, BlockPlace place, int channelDivisor);

    /// <summary>The module classes this kind builds (the ONNX exporter finds the kind of a module by them).</summary>
    public abstract IReadOnlyList<Type> ModuleTypes { get; }

    /// <summary>The ONNX nodes that compute what <paramref name="module"/> computes in eval mode; returns the output value's name.</summary>
    public abstract string Export(OnnxEmitter emitter, Module module, string input, string path);

    /// <summary>
    /// This kind's tensor names in other libraries' layouts, keyed by layout (e.g.
    /// <c>torchvision.efficientnet</c>): each maps a built block's modules under our path to theirs.
    /// Empty where no other library builds this kind.
    /// </summary>
    public virtual IReadOnlyDictionary<string, BlockNames> WeightNames => NoNames;

    protected static readonly IReadOnlyDictionary<string, BlockNames> NoNames = new Dictionary<string, BlockNames>();

    public override string ToString() => Code;
}

/// <summary>Maps one built block's modules (under our path) to another library's (under theirs).</summary>
public delegate void BlockNames(ModuleNames names, Module block, string ours, string theirs);
