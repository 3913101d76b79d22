namespace Research.Torch.Modules
{
    /// <summary>y = x·Wᵀ + b, with PyTorch's default initialisation.</summary>
    public sealed class Linear : Module<Tensor, Tensor>
    {
        public Linear(long in_features, long out_features, bool bias = true, Device? device = null, ScalarType dtype = ScalarType.Float32)
            : base(nameof(Linear))
        {
            if (in_features <= 0 || out_features <= 0)
                throw new ArgumentException($"Linear: in_features {in_features} and out_features {out_features} must be positive");
            (InFeatures, OutFeatures) = (in_features, out_features);
            (weight, this.bias) = torch.nn.init.layer_parameters(this, [out_features, in_features], bias, device, dtype);
        }

        public Parameter weight { get; }
        public Parameter? bias { get; }
        public long InFeatures { get; }
        public long OutFeatures { get; }

        public override Tensor forward(Tensor input) => torch.nn.functional.linear(input, weight, bias);
    }
}

namespace Research.Torch
{
    public static partial class torch
    {
        public static partial class nn
        {
            public static Modules.Linear Linear(long in_features, long out_features, bool bias = true, Device? device = null,
                ScalarType dtype = ScalarType.Float32) => new(in_features, out_features, bias, device, dtype);

            public static partial class functional
            {
                /// <summary>y = x·Wᵀ + b with W of shape (out, in).</summary>
                public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null)
                {
                    var e = Native.rt_linear(input.Handle, weight.Handle, bias?.Handle ?? IntPtr.Zero, out var r);
                    GC.KeepAlive(bias);
                    return Tensor.Result(e, r, input, weight);
                }
            }
        }
    }
}
