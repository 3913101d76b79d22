namespace Research.Torch;

public enum PaddingMode
{
    Constant = 0,
    Reflect = 1,
    Replicate = 2,
    Circular = 3,
}

public static partial class torch
{
    public static partial class nn
    {
        public static unsafe partial class functional
        {
            /// <summary>Pads the last dims: pad = (left, right, top, bottom, ...) as in F.pad.</summary>
            public static Tensor pad(Tensor x, long[] pad, PaddingMode mode = PaddingMode.Constant, double value = 0)
            {
                if (pad.Length % 2 != 0) throw new ArgumentException($"pad needs pairs of values, got {pad.Length}", nameof(pad));
                IntPtr r, e;
                fixed (long* p = pad) e = Native.rt_pad(x.Handle, p, pad.Length, (int)mode, value, out r);
                return Tensor.Result(e, r, x);
            }
        }
    }
}
