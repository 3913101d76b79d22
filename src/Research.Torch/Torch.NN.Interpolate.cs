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

            /// <summary>The sampling grid (N, H, W, 2) of affine maps theta (N, 2, 3) for an output of size (N, C, H, W), as PyTorch's affine_grid.</summary>
            public static unsafe Tensor affine_grid(Tensor theta, long[] size, bool align_corners = false)
            {
                fixed (long* p = size)
                    return Tensor.Result(Native.rt_affine_grid(theta.Handle, p, size.Length, align_corners, out var r), r, theta);
            }

            /// <summary>Samples x (N, C, H, W) at grid (N, H', W', 2) locations in [-1, 1], as PyTorch's grid_sample (padding 0: zeros, 1: border).</summary>
            public static Tensor grid_sample(Tensor x, Tensor grid, InterpolationMode mode = InterpolationMode.Bilinear, bool borderPadding = false, bool align_corners = false)
            {
                // ATen's sampler codes: 0 bilinear, 1 nearest.
                long code = mode == InterpolationMode.Bilinear ? 0 : 1;
                return Tensor.Result(Native.rt_grid_sample(x.Handle, grid.Handle, code, borderPadding ? 1 : 0, align_corners, out var r), r, x);
            }
        }
    }
}
