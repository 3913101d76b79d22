namespace Research.Torch.Modules
{
    /// <summary>Dropout that is active only in training mode.</summary>
    public sealed class Dropout : Module<Tensor, Tensor>
    {
        public Dropout(double p = 0.5) : base(nameof(Dropout))
        {
            if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");
            P = p;
        }

        public double P { get; set; }

        public override Tensor forward(Tensor input) =>
            P == 0 || !training ? input.alias() : torch.nn.functional.dropout(input, P, training);
    }
}

namespace Research.Torch
{
    public static partial class torch
    {
        public static partial class nn
        {
            public static Modules.Dropout Dropout(double p = 0.5) => new(p);

            public static partial class functional
            {
                /// <summary>Zeroes elements with probability p and scales the rest by 1/(1-p) when training.</summary>
                public static Tensor dropout(Tensor input, double p = 0.5, bool training = true)
                {
                    if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");
                    return Tensor.Result(Native.rt_dropout(input.Handle, p, training, out var r), r, input);
                }
            }
        }
    }
}
