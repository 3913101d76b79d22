namespace Research.Models.Specs;

public enum Activation
{
    None,
    ReLU,
    ReLU6,
    SiLU,
    HardSwish,
}

public static class ActivationNames
{
    private static readonly (Activation act, string name)[] Table =
        [(Activation.None, "none"), (Activation.ReLU, "relu"), (Activation.ReLU6, "relu6"), (Activation.SiLU, "silu"), (Activation.HardSwish, "hswish")];

    public static string Name(this Activation a) => Table.First(t => t.act == a).name;

    public static bool TryParse(string name, out Activation a)
    {
        foreach (var (act, n) in Table)
            if (n == name)
            {
                a = act;
                return true;
            }
        a = Activation.None;
        return false;
    }

    public static IEnumerable<string> Names => Table.Select(t => t.name);
}
