namespace Research.Models.Blocks;

public static class Activations
{
    /// <summary>The module for an activation, or null for none.</summary>
    public static Module<Tensor, Tensor>? Create(Activation a) => a switch
    {
        Activation.None => null,
        Activation.ReLU => torch.nn.ReLU(),
        Activation.ReLU6 => torch.nn.ReLU6(),
        Activation.SiLU => torch.nn.SiLU(),
        Activation.HardSwish => torch.nn.Hardswish(),
        _ => throw new ArgumentOutOfRangeException(nameof(a), a, "unknown activation"),
    };
}
