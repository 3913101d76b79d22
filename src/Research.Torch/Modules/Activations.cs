namespace Research.Torch.Modules
{
    /// <summary>A module that applies a function of no parameters to its input, element by element (the activations).</summary>
    public abstract class Elementwise(string name, Func<Tensor, Tensor> function) : Module<Tensor, Tensor>(name)
    {
        public override Tensor forward(Tensor input) => function(input);
    }

    public sealed class ReLU() : Elementwise(nameof(ReLU), torch.nn.functional.relu);
    public sealed class ReLU6() : Elementwise(nameof(ReLU6), torch.nn.functional.relu6);
    public sealed class SiLU() : Elementwise(nameof(SiLU), torch.nn.functional.silu);
    public sealed class Hardswish() : Elementwise(nameof(Hardswish), torch.nn.functional.hardswish);
    public sealed class Hardsigmoid() : Elementwise(nameof(Hardsigmoid), torch.nn.functional.hardsigmoid);
    public sealed class Sigmoid() : Elementwise(nameof(Sigmoid), torch.nn.functional.sigmoid);
    public sealed class Tanh() : Elementwise(nameof(Tanh), torch.nn.functional.tanh);
    public sealed class GELU() : Elementwise(nameof(GELU), torch.nn.functional.gelu);
}

namespace Research.Torch
{
    public static partial class torch
    {
        public static partial class nn
        {
            public static Modules.ReLU ReLU() => new();
            public static Modules.ReLU6 ReLU6() => new();
            public static Modules.SiLU SiLU() => new();
            public static Modules.Hardswish Hardswish() => new();
            public static Modules.Hardsigmoid Hardsigmoid() => new();
            public static Modules.Sigmoid Sigmoid() => new();
            public static Modules.Tanh Tanh() => new();
            public static Modules.GELU GELU() => new();

            public static partial class functional
            {
                public static Tensor relu(Tensor x) => Tensor.Result(Native.rt_relu(x.Handle, out var r), r, x);
                /// <summary>min(max(x, 0), 6): MobileNetV2's activation.</summary>
                public static Tensor relu6(Tensor x) => Tensor.Result(Native.rt_relu6(x.Handle, out var r), r, x);
                /// <summary>x·sigmoid(x) (swish): EfficientNet's activation.</summary>
                public static Tensor silu(Tensor x) => Tensor.Result(Native.rt_silu(x.Handle, out var r), r, x);
                /// <summary>x·relu6(x+3)/6: MobileNetV3's h-swish.</summary>
                public static Tensor hardswish(Tensor x) => Tensor.Result(Native.rt_hardswish(x.Handle, out var r), r, x);
                /// <summary>relu6(x+3)/6: MobileNetV3's hard sigmoid.</summary>
                public static Tensor hardsigmoid(Tensor x) => Tensor.Result(Native.rt_hardsigmoid(x.Handle, out var r), r, x);
                public static Tensor sigmoid(Tensor x) => Tensor.Result(Native.rt_sigmoid(x.Handle, out var r), r, x);
                public static Tensor tanh(Tensor x) => Tensor.Result(Native.rt_tanh(x.Handle, out var r), r, x);
                /// <summary>Exact (erf) GELU.</summary>
                public static Tensor gelu(Tensor x) => Tensor.Result(Native.rt_gelu(x.Handle, out var r), r, x);
                public static Tensor leaky_relu(Tensor x, double negative_slope = 0.01) => Tensor.Result(Native.rt_leaky_relu(x.Handle, negative_slope, out var r), r, x);
                public static Tensor softmax(Tensor x, long dim) => x.softmax(dim);
                public static Tensor log_softmax(Tensor x, long dim) => x.log_softmax(dim);

                /// <summary>In-place ReLU on x; returns x.</summary>
                public static Tensor relu_(Tensor x) => x.InPlace(Native.rt_relu_(x.Handle));
            }
        }
    }
}
