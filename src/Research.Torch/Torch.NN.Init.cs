namespace Research.Torch;

public static partial class torch
{
    public static partial class nn
    {
        public enum FanMode { FanIn, FanOut }

        /// <summary>Weight initialisers with PyTorch's formulas (torch.nn.init); all work in place without grad.</summary>
        public static class init
        {
            public static (long fanIn, long fanOut) calculate_fan_in_and_fan_out(Tensor t)
            {
                var s = t.shape;
                if (s.Length < 2) throw new ArgumentException($"fan in/out needs a tensor of at least 2 dims, got [{string.Join(", ", s)}]");
                long receptive = 1;
                for (int i = 2; i < s.Length; i++) receptive *= s[i];
                return (s[1] * receptive, s[0] * receptive);
            }

            /// <summary>The recommended gain for a nonlinearity (param: leaky_relu's negative slope).</summary>
            public static double calculate_gain(string nonlinearity, double? param = null) => nonlinearity switch
            {
                "linear" or "conv2d" or "sigmoid" or "identity" => 1.0,
                "tanh" => 5.0 / 3,
                "relu" => Math.Sqrt(2.0),
                "leaky_relu" => Math.Sqrt(2.0 / (1 + Math.Pow(param ?? 0.01, 2))),
                "selu" => 3.0 / 4,
                _ => throw new ArgumentException($"unknown nonlinearity '{nonlinearity}'", nameof(nonlinearity)),
            };

            public static Tensor uniform_(Tensor t, double a = 0, double b = 1)
            {
                using (no_grad()) return t.uniform_(a, b);
            }

            public static Tensor normal_(Tensor t, double mean = 0, double std = 1)
            {
                using (no_grad()) return t.normal_(mean, std);
            }

            public static Tensor constant_(Tensor t, Scalar value)
            {
                using (no_grad()) return t.fill_(value);
            }

            public static Tensor zeros_(Tensor t) => constant_(t, 0);
            public static Tensor ones_(Tensor t) => constant_(t, 1);

            private static long Fan(Tensor t, FanMode mode)
            {
                var (fi, fo) = calculate_fan_in_and_fan_out(t);
                return mode == FanMode.FanIn ? fi : fo;
            }

            /// <summary>U(-b, b) with b = gain·sqrt(3/fan) (He et al.).</summary>
            public static Tensor kaiming_uniform_(Tensor t, double a = 0, FanMode mode = FanMode.FanIn, string nonlinearity = "leaky_relu")
            {
                double bound = Math.Sqrt(3.0) * calculate_gain(nonlinearity, a) / Math.Sqrt(Fan(t, mode));
                return uniform_(t, -bound, bound);
            }

            /// <summary>N(0, std²) with std = gain/sqrt(fan) (He et al.).</summary>
            public static Tensor kaiming_normal_(Tensor t, double a = 0, FanMode mode = FanMode.FanIn, string nonlinearity = "leaky_relu") =>
                normal_(t, 0, calculate_gain(nonlinearity, a) / Math.Sqrt(Fan(t, mode)));

            /// <summary>U(-b, b) with b = gain·sqrt(6/(fan_in + fan_out)) (Glorot and Bengio).</summary>
            public static Tensor xavier_uniform_(Tensor t, double gain = 1)
            {
                var (fi, fo) = calculate_fan_in_and_fan_out(t);
                double bound = gain * Math.Sqrt(6.0 / (fi + fo));
                return uniform_(t, -bound, bound);
            }

            public static Tensor xavier_normal_(Tensor t, double gain = 1)
            {
                var (fi, fo) = calculate_fan_in_and_fan_out(t);
                return normal_(t, 0, gain * Math.Sqrt(2.0 / (fi + fo)));
            }

            /// <summary>
            /// A Conv or Linear layer's weight of the given shape and (when asked) its bias of the output size, initialised as
            /// PyTorch does and registered in <paramref name="layer"/> as "weight" and "bias".
            /// </summary>
            internal static (Parameter Weight, Parameter? Bias) layer_parameters(Modules.Module layer, long[] weightShape, bool bias, Device? device, ScalarType dtype)
            {
                using var w = torch.empty(weightShape, dtype, device);
                var weight = new Parameter(w);
                Parameter? b = null;
                if (bias)
                {
                    using var t = torch.empty([weightShape[0]], dtype, device);
                    b = new Parameter(t);
                }
                default_layer_init(weight, b);
                layer.register_parameter("weight", weight);
                layer.register_parameter("bias", b);
                return (weight, b);
            }

            /// <summary>PyTorch's default for Conv and Linear: kaiming_uniform(a=√5) on the weight, U(±1/√fan_in) on the bias.</summary>
            private static void default_layer_init(Tensor weight, Tensor? bias)
            {
                kaiming_uniform_(weight, Math.Sqrt(5));
                if (bias is null) return;
                var (fi, _) = calculate_fan_in_and_fan_out(weight);
                double b = fi > 0 ? 1 / Math.Sqrt(fi) : 0;
                uniform_(bias, -b, b);
            }
        }
    }
}
