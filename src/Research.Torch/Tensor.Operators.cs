namespace Research.Torch;

public partial class Tensor
{
    public Tensor add(Tensor other, Scalar? alpha = null)
    {
        var a = alpha ?? 1;
        return Result(Native.rt_add(Handle, other.Handle, a.D, a.L, a.Kind, out var r), r, this, other);
    }

    public Tensor add(Scalar s) => Result(Native.rt_add_scalar(Handle, s.D, s.L, s.Kind, out var r), r, this);
    public Tensor sub(Tensor other) => Result(Native.rt_sub(Handle, other.Handle, out var r), r, this, other);
    public Tensor sub(Scalar s) => Result(Native.rt_sub_scalar(Handle, s.D, s.L, s.Kind, out var r), r, this);
    public Tensor mul(Tensor other) => Result(Native.rt_mul(Handle, other.Handle, out var r), r, this, other);
    public Tensor mul(Scalar s) => Result(Native.rt_mul_scalar(Handle, s.D, s.L, s.Kind, out var r), r, this);
    public Tensor div(Tensor other) => Result(Native.rt_div(Handle, other.Handle, out var r), r, this, other);
    public Tensor div(Scalar s) => Result(Native.rt_div_scalar(Handle, s.D, s.L, s.Kind, out var r), r, this);
    public Tensor remainder(Scalar s) => Result(Native.rt_remainder_scalar(Handle, s.D, s.L, s.Kind, out var r), r, this);
    public Tensor pow(Tensor exponent) => Result(Native.rt_pow(Handle, exponent.Handle, out var r), r, this, exponent);
    public Tensor pow(Scalar exponent) => Result(Native.rt_pow_scalar(Handle, exponent.D, exponent.L, exponent.Kind, out var r), r, this);
    public Tensor matmul(Tensor other) => Result(Native.rt_matmul(Handle, other.Handle, out var r), r, this, other);
    public Tensor maximum(Tensor other) => Result(Native.rt_maximum(Handle, other.Handle, out var r), r, this, other);
    public Tensor minimum(Tensor other) => Result(Native.rt_minimum(Handle, other.Handle, out var r), r, this, other);
    public Tensor logical_and(Tensor other) => Result(Native.rt_logical_and(Handle, other.Handle, out var r), r, this, other);
    public Tensor logical_or(Tensor other) => Result(Native.rt_logical_or(Handle, other.Handle, out var r), r, this, other);
    public Tensor logical_not() => Result(Native.rt_logical_not(Handle, out var r), r, this);

    public static Tensor operator +(Tensor a, Tensor b) => a.add(b);
    public static Tensor operator +(Tensor a, Scalar b) => a.add(b);
    public static Tensor operator +(Scalar a, Tensor b) => b.add(a);
    public static Tensor operator -(Tensor a, Tensor b) => a.sub(b);
    public static Tensor operator -(Tensor a, Scalar b) => a.sub(b);
    public static Tensor operator -(Scalar a, Tensor b) => Result(Native.rt_rsub_scalar(b.Handle, a.D, a.L, a.Kind, out var r), r, b);
    public static Tensor operator *(Tensor a, Tensor b) => a.mul(b);
    public static Tensor operator *(Tensor a, Scalar b) => a.mul(b);
    public static Tensor operator *(Scalar a, Tensor b) => b.mul(a);
    public static Tensor operator /(Tensor a, Tensor b) => a.div(b);
    public static Tensor operator /(Tensor a, Scalar b) => a.div(b);
    public static Tensor operator /(Scalar a, Tensor b) => Result(Native.rt_rdiv_scalar(b.Handle, a.D, a.L, a.Kind, out var r), r, b);
    public static Tensor operator %(Tensor a, Scalar b) => a.remainder(b);
    public static Tensor operator -(Tensor a) => a.neg();
    public static Tensor operator &(Tensor a, Tensor b) => a.logical_and(b);
    public static Tensor operator |(Tensor a, Tensor b) => a.logical_or(b);
    public static Tensor operator !(Tensor a) => a.logical_not();

    // Comparisons give bool tensors. == and != keep reference semantics on purpose (use eq/ne).
    private Tensor Compare(Tensor other, int op) => Result(Native.rt_compare(Handle, other.Handle, op, out var r), r, this, other);
    private Tensor Compare(Scalar s, int op) => Result(Native.rt_compare_scalar(Handle, s.D, s.L, s.Kind, op, out var r), r, this);
    public Tensor eq(Tensor o) => Compare(o, 0);
    public Tensor eq(Scalar o) => Compare(o, 0);
    public Tensor ne(Tensor o) => Compare(o, 1);
    public Tensor ne(Scalar o) => Compare(o, 1);
    public Tensor lt(Tensor o) => Compare(o, 2);
    public Tensor lt(Scalar o) => Compare(o, 2);
    public Tensor le(Tensor o) => Compare(o, 3);
    public Tensor le(Scalar o) => Compare(o, 3);
    public Tensor gt(Tensor o) => Compare(o, 4);
    public Tensor gt(Scalar o) => Compare(o, 4);
    public Tensor ge(Tensor o) => Compare(o, 5);
    public Tensor ge(Scalar o) => Compare(o, 5);
    public static Tensor operator <(Tensor a, Tensor b) => a.lt(b);
    public static Tensor operator >(Tensor a, Tensor b) => a.gt(b);
    public static Tensor operator <=(Tensor a, Tensor b) => a.le(b);
    public static Tensor operator >=(Tensor a, Tensor b) => a.ge(b);
    public static Tensor operator <(Tensor a, Scalar b) => a.lt(b);
    public static Tensor operator >(Tensor a, Scalar b) => a.gt(b);
    public static Tensor operator <=(Tensor a, Scalar b) => a.le(b);
    public static Tensor operator >=(Tensor a, Scalar b) => a.ge(b);

    public bool allclose(Tensor other, double rtol = 1e-5, double atol = 1e-8)
    {
        Native.Check(Native.rt_allclose(Handle, other.Handle, rtol, atol, out var r));
        GC.KeepAlive(this);
        GC.KeepAlive(other);
        return r;
    }

    /// <summary>True when shapes and every element are equal.</summary>
    public bool equal(Tensor other)
    {
        Native.Check(Native.rt_equal(Handle, other.Handle, out var r));
        GC.KeepAlive(this);
        GC.KeepAlive(other);
        return r;
    }

    // ---- in place ----
    public Tensor add_(Tensor other, Scalar? alpha = null)
    {
        var a = alpha ?? 1;
        return InPlace(Native.rt_add_(Handle, other.Handle, a.D, a.L, a.Kind), other);
    }

    public Tensor add_(Scalar s) => InPlace(Native.rt_add_scalar_(Handle, s.D, s.L, s.Kind));
    public Tensor sub_(Tensor other) => InPlace(Native.rt_sub_(Handle, other.Handle), other);
    public Tensor sub_(Scalar s) => InPlace(Native.rt_sub_scalar_(Handle, s.D, s.L, s.Kind));
    public Tensor mul_(Tensor other) => InPlace(Native.rt_mul_(Handle, other.Handle), other);
    public Tensor mul_(Scalar s) => InPlace(Native.rt_mul_scalar_(Handle, s.D, s.L, s.Kind));
    public Tensor div_(Tensor other) => InPlace(Native.rt_div_(Handle, other.Handle), other);
    public Tensor div_(Scalar s) => InPlace(Native.rt_div_scalar_(Handle, s.D, s.L, s.Kind));
    public Tensor pow_(Scalar s) => InPlace(Native.rt_pow_scalar_(Handle, s.D, s.L, s.Kind));
    public Tensor sqrt_() => InPlace(Native.rt_sqrt_(Handle));
    public Tensor neg_() => InPlace(Native.rt_neg_(Handle));
    public Tensor clamp_(double? min = null, double? max = null) =>
        InPlace(Native.rt_clamp_(Handle, min.HasValue, min ?? 0, max.HasValue, max ?? 0));
    /// <summary>this += value * t1 * t2</summary>
    public Tensor addcmul_(Tensor t1, Tensor t2, Scalar value)
    {
        Native.Check(Native.rt_addcmul_(Handle, t1.Handle, t2.Handle, value.D, value.L, value.Kind));
        GC.KeepAlive(this); GC.KeepAlive(t1); GC.KeepAlive(t2);
        return this;
    }
    /// <summary>this += value * t1 / t2</summary>
    public Tensor addcdiv_(Tensor t1, Tensor t2, Scalar value)
    {
        Native.Check(Native.rt_addcdiv_(Handle, t1.Handle, t2.Handle, value.D, value.L, value.Kind));
        GC.KeepAlive(this); GC.KeepAlive(t1); GC.KeepAlive(t2);
        return this;
    }
    /// <summary>this += weight * (end - this)</summary>
    public Tensor lerp_(Tensor end, Scalar weight) => InPlace(Native.rt_lerp_(Handle, end.Handle, weight.D, weight.L, weight.Kind), end);
    public Tensor fill_(Scalar s) => InPlace(Native.rt_fill_(Handle, s.D, s.L, s.Kind));
    public Tensor zero_() => InPlace(Native.rt_zero_(Handle));
    public Tensor uniform_(double from = 0, double to = 1) => InPlace(Native.rt_uniform_(Handle, from, to));
    public Tensor normal_(double mean = 0, double std = 1) => InPlace(Native.rt_normal_(Handle, mean, std));
    public Tensor bernoulli_(double p) => InPlace(Native.rt_bernoulli_(Handle, p));
}
