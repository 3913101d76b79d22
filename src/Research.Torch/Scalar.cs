namespace Research.Torch;

/// <summary>
/// A number that keeps whether it is integral, so <c>longTensor + 1</c> stays int64
/// while <c>longTensor + 1.0</c> promotes to float, as in PyTorch.
/// </summary>
public readonly struct Scalar
{
    internal readonly double D;
    internal readonly long L;
    internal readonly int Kind; // 0 floating, 1 integral, 2 bool (the native encoding)

    private Scalar(double d, long l, int kind)
    {
        D = d;
        L = l;
        Kind = kind;
    }

    public static implicit operator Scalar(double v) => new(v, 0, 0);
    public static implicit operator Scalar(float v) => new(v, 0, 0);
    public static implicit operator Scalar(long v) => new(v, v, 1);
    public static implicit operator Scalar(int v) => new(v, v, 1);
    public static implicit operator Scalar(bool v) => new(v ? 1 : 0, v ? 1 : 0, 2);

    public bool IsIntegral => Kind != 0;
    public double ToDouble() => Kind == 0 ? D : L;

    public override string ToString() => Kind switch
    {
        0 => D.ToString(System.Globalization.CultureInfo.InvariantCulture),
        1 => L.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => L != 0 ? "True" : "False",
    };
}
