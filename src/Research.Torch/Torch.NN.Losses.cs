namespace Research.Torch;

/// <summary>How a loss reduces over the batch (values are at::Reduction's).</summary>
public enum Reduction
{
    None = 0,
    Mean = 1,
    Sum = 2,
}

public static partial class torch
{
    public static partial class nn
    {
        public static partial class functional
        {
            /// <summary>Cross entropy of logits (N, C) against class indices (N), with optional label smoothing.</summary>
            public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean,
                long ignore_index = -100, double label_smoothing = 0.0)
            {
                if (label_smoothing < 0 || label_smoothing > 1)
                    throw new ArgumentOutOfRangeException(nameof(label_smoothing), label_smoothing, "label smoothing must be in [0, 1]");
                var e = Native.rt_cross_entropy(input.Handle, target.Handle, weight?.Handle ?? IntPtr.Zero, (long)reduction, ignore_index, label_smoothing, out var r);
                GC.KeepAlive(weight);
                return Tensor.Result(e, r, input, target);
            }

            /// <summary>Negative log-likelihood of log-probabilities (N, C) against class indices (N).</summary>
            public static Tensor nll_loss(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean, long ignore_index = -100)
            {
                var e = Native.rt_nll_loss(input.Handle, target.Handle, weight?.Handle ?? IntPtr.Zero, (long)reduction, ignore_index, out var r);
                GC.KeepAlive(weight);
                return Tensor.Result(e, r, input, target);
            }

            public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                Tensor.Result(Native.rt_mse_loss(input.Handle, target.Handle, (long)reduction, out var r), r, input, target);

            public static Tensor one_hot(Tensor indices, long num_classes = -1) =>
                Tensor.Result(Native.rt_one_hot(indices.Handle, num_classes, out var r), r, indices);
        }
    }
}
