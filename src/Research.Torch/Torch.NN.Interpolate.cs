using Research.Torch.Interop;

namespace Research.Torch;

public enum InterpolationMode
{
    Nearest = 0,
    Bilinear = 1,
}

public static partial class torch
{
    public static partial class nn
    {
        public static partial class functional
        {
            /// <summary>Resizes (N, C, H, W) input to size (h, w).</summary>
            public static Tensor interpolate(Tensor x, (long h, long w) size, InterpolationMode mode = InterpolationMode.Nearest, bool align_corners = false)
            {
                if (mode == InterpolationMode.Nearest && align_corners)
                    throw new ArgumentException("align_corners applies only to bilinear interpolation", nameof(align_corners));
                return Tensor.Result(Native.rt_interpolate(x.Handle, size.h, size.w, (int)mode, align_corners, out var r), r, x);
            }
        }
    }
}
