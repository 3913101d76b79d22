namespace Research.Search.Ablation;

/// <summary>
/// The ablation is refused: at least one arm lands further than macs_tolerance from its MACs target.
/// Its own type so that the experiment-file check can place <see cref="Detail"/> at the
/// macs_tolerance key's line; the message names the key for the CLI.
/// </summary>
public sealed class ArmsOffTargetException(string detail) : ArgumentException("macs_tolerance: " + detail)
{
    /// <summary>Which arms miss, by how much, and what would bring them in.</summary>
    public string Detail { get; } = detail;
}
