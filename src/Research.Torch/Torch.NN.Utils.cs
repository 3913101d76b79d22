namespace Research.Torch;

public static partial class torch
{
    public static partial class nn
    {
        public static class utils
        {
            /// <summary>
            /// Scales all gradients together so their global 2-norm is at most max_norm
            /// (coefficient max_norm/(total+1e-6), capped at 1). Returns the norm before clipping,
            /// computed in float64 when any gradient is float64, else in float32.
            /// </summary>
            public static double clip_grad_norm_(IEnumerable<Parameter> parameters, double max_norm)
            {
                if (max_norm <= 0) throw new ArgumentOutOfRangeException(nameof(max_norm), max_norm, "max_norm must be positive");
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                var grads = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToArray();
                if (grads.Length == 0) return 0;
                var norms = grads.Select(g => g.norm(2)).ToArray();
                var device = grads[0].device;
                var type = grads.Any(g => g.dtype == ScalarType.Float64) ? ScalarType.Float64 : ScalarType.Float32;
                var total = stack(norms.Select(n => n.to(device, type)).ToArray()).norm(2);
                var coef = (max_norm / (total + 1e-6)).clamp(max: 1.0);
                foreach (var g in grads) g.mul_(coef.to(g.dtype));
                return total.item<double>();
            }
        }
    }
}
