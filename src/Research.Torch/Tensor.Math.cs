namespace Research.Torch;

public partial class Tensor
{
    public Tensor neg() => Result(Native.rt_neg(Handle, out var r), r, this);
    public Tensor abs() => Result(Native.rt_abs(Handle, out var r), r, this);
    public Tensor exp() => Result(Native.rt_exp(Handle, out var r), r, this);
    public Tensor log() => Result(Native.rt_log(Handle, out var r), r, this);
    public Tensor sqrt() => Result(Native.rt_sqrt(Handle, out var r), r, this);
    public Tensor rsqrt() => Result(Native.rt_rsqrt(Handle, out var r), r, this);
    public Tensor sign() => Result(Native.rt_sign(Handle, out var r), r, this);
    public Tensor square() => Result(Native.rt_square(Handle, out var r), r, this);
    public Tensor reciprocal() => Result(Native.rt_reciprocal(Handle, out var r), r, this);
    public Tensor floor() => Result(Native.rt_floor(Handle, out var r), r, this);
    public Tensor ceil() => Result(Native.rt_ceil(Handle, out var r), r, this);
    public Tensor round() => Result(Native.rt_round(Handle, out var r), r, this);
    public Tensor sin() => Result(Native.rt_sin(Handle, out var r), r, this);
    public Tensor cos() => Result(Native.rt_cos(Handle, out var r), r, this);
    public Tensor isnan() => Result(Native.rt_isnan(Handle, out var r), r, this);
    public Tensor isfinite() => Result(Native.rt_isfinite(Handle, out var r), r, this);
    public Tensor relu() => Result(Native.rt_relu(Handle, out var r), r, this);
    public Tensor sigmoid() => Result(Native.rt_sigmoid(Handle, out var r), r, this);
    public Tensor tanh() => Result(Native.rt_tanh(Handle, out var r), r, this);
    public Tensor softmax(long dim) => Result(Native.rt_softmax(Handle, dim, out var r), r, this);
    public Tensor log_softmax(long dim) => Result(Native.rt_log_softmax(Handle, dim, out var r), r, this);

    public Tensor clamp(double? min = null, double? max = null) =>
        Result(Native.rt_clamp(Handle, min.HasValue, min ?? 0, max.HasValue, max ?? 0, out var r), r, this);

    public Tensor clip(double? min = null, double? max = null) => clamp(min, max);

    /// <summary>Elements of this where condition holds, else of other.</summary>
    public Tensor where(Tensor condition, Tensor other) => torch.where(condition, this, other);

    public Tensor masked_fill(Tensor mask, Scalar value) =>
        Result(Native.rt_masked_fill(Handle, mask.Handle, value.D, value.L, value.Kind, out var r), r, this, mask);
}

public static partial class torch
{
    public static Tensor where(Tensor condition, Tensor x, Tensor y)
    {
        Native.Check(Native.rt_where(condition.Handle, x.Handle, y.Handle, out var r));
        GC.KeepAlive(condition); GC.KeepAlive(x); GC.KeepAlive(y);
        return new Tensor(r);
    }

    public static Tensor matmul(Tensor a, Tensor b) => a.matmul(b);
    public static Tensor abs(Tensor t) => t.abs();
    public static Tensor exp(Tensor t) => t.exp();
    public static Tensor log(Tensor t) => t.log();
    public static Tensor sqrt(Tensor t) => t.sqrt();
    public static Tensor rsqrt(Tensor t) => t.rsqrt();
    public static Tensor sign(Tensor t) => t.sign();
    public static Tensor pow(Tensor t, Scalar e) => t.pow(e);
    public static Tensor pow(Tensor t, Tensor e) => t.pow(e);
    public static Tensor clamp(Tensor t, double? min = null, double? max = null) => t.clamp(min, max);
    public static Tensor maximum(Tensor a, Tensor b) => a.maximum(b);
    public static Tensor minimum(Tensor a, Tensor b) => a.minimum(b);
    public static bool allclose(Tensor a, Tensor b, double rtol = 1e-5, double atol = 1e-8) => a.allclose(b, rtol, atol);
}
