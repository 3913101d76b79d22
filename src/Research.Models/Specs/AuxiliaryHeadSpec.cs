namespace Research.Models.Specs;

/// <summary>
/// DARTS's auxiliary classifier (AuxiliaryHeadCIFAR) on the output of cell <see cref="AfterCell"/>
/// (zero-based), trained with its loss times <see cref="Weight"/> added to the main loss and
/// dropped at inference. Not counted in a network's inference parameters and MACs.
/// </summary>
public sealed record AuxiliaryHeadSpec(int AfterCell, double Weight)
{
    public void Validate(string network)
    {
        if (AfterCell < 0) throw new SpecFormatException($"network '{network}': auxiliary.after {AfterCell} must be >= 0");
        if (!(Weight > 0) || Weight > 10) throw new SpecFormatException($"network '{network}': auxiliary.weight {Weight} must be in (0, 10]");
    }
}

/// <summary>How a network's drop-connect (drop-path) rate is spread over depth and training time.</summary>
public enum DropSchedule
{
    /// <summary>Block or cell i of n drops with p × i / n, at every epoch (EfficientNet's stochastic depth).</summary>
    Depth,
    /// <summary>Every cell drops with p × epoch / epochs, the same in every cell (DARTS's train.py).</summary>
    Epoch,
}
