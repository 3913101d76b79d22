namespace Research.Models.Cells;

/// <summary>
/// One form a search-space op's definition can take (<c>none</c>, <c>skip</c>,
/// <c>max_pool_k3</c>, a block template, or a user's own): how to recognise it, the module it
/// puts on an edge of a given width and stride, its cost, and its ONNX emission. Forms are
/// registered explicitly in a <see cref="CellOpFormRegistry"/>.
/// </summary>
public abstract class CellOpForm
{
    /// <summary>A short name for messages and docs (e.g. <c>max_pool</c>).</summary>
    public abstract string Name { get; }

    /// <summary>What a definition of this form looks like (e.g. <c>max_pool_kK</c>), for messages.</summary>
    public abstract string Syntax { get; }

    /// <summary>The op for a definition of this form; null when the definition is of another form; throws for a malformed one of this form.</summary>
    public abstract CellOp? TryParse(string name, string definition);

    /// <summary>The edge contributes nothing (DARTS's <c>none</c>): never built, never in a derived cell.</summary>
    public virtual bool IsZero => false;

    /// <summary>The identity (DARTS's <c>skip_connect</c>): counted by the skip cap of a derivation.</summary>
    public virtual bool IsSkip => false;

    /// <summary>Checks the op at a width the cell gives it; throws a SpecFormatException naming the op.</summary>
    public virtual void CheckWidth(CellOp op, int channels) { }

    /// <summary>
    /// The op's module on an edge (null: contributes nothing). In the supernet (<paramref name="search"/>)
    /// DARTS's conventions apply (a non-affine BatchNorm after pools; non-affine reductions).
    /// </summary>
    public abstract Module<Tensor, Tensor>? Build(CellOp op, int channels, int stride, BlockContext ctx, bool search);

    /// <summary>Its layers under <paramref name="path"/>, from the walker's input shape (an edge of width <paramref name="channels"/>).</summary>
    public abstract void Cost(CostWalker walker, string path, CellOp op, int channels, int stride, int channelDivisor);

    /// <summary>Module classes this form builds itself (the exporter finds the form of a module by them).</summary>
    public virtual IReadOnlyList<Type> ModuleTypes => [];

    public virtual string Export(OnnxEmitter emitter, Module module, string input, string path) =>
        throw new NotSupportedException($"ONNX export: op form '{Name}' builds no module of its own ({path})");

    public override string ToString() => Name;
}
