namespace Research.Models.Blocks;

/// <summary>
/// One block instance in a network: repeat <see cref="RepeatIndex"/> of <see cref="Spec"/> reading
/// <see cref="InChannels"/> channels. Only the first repeat has the spec's stride.
/// </summary>
public readonly record struct BlockPlace(int InChannels, BlockSpec Spec, int RepeatIndex)
{
    public int Stride => RepeatIndex == 0 ? Spec.Stride : 1;

    /// <summary>The expanded width of an e/x block at this input (x when given, else make_divisible(in × e, divisor)).</summary>
    public int Hidden(int divisor) => Spec.Hidden(InChannels, divisor);
}
