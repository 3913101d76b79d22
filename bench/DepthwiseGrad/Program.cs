// The weight gradient of a depthwise convolution, libtorch's against ours, on the depthwise layers of
// MobileNetV2-0.5 (28x28, batch 128, small input) and EfficientNet-B0 (64x64, batch 64): for each
// shape, the forward once and then `--runs` interleaved pairs (libtorch, ours) of
// torch.autograd.grad(y, w, dy) on the same graph, medians in milliseconds, printed as
// `name value` lines with the ratio libtorch / ours.
//   dotnet run --project bench/DepthwiseGrad -c Release -- --threads 1 --runs 7 --layout nhwc
using System.Diagnostics;
using System.Globalization;
using Research.Torch;
using F = Research.Torch.torch.nn.functional;

int threads = 1, runs = 7;
string layout = "nhwc";
for (int i = 0; i < args.Length; i++)
{
    string option = args[i];
    string? value = i + 1 < args.Length ? args[++i] : null;
    int number = 0;
    bool ok = value is not null && option switch
    {
        "--threads" or "--runs" => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out number),
        "--layout" => true,
        _ => false,
    };
    if (!ok)
    {
        Console.Error.WriteLine($"{option} {value}: expected --threads N, --runs N, --layout nhwc|nchw");
        return 2;
    }
    if (option == "--threads") threads = number;
    else if (option == "--runs") runs = number;
    else layout = value!;
}
if (threads < 1 || runs < 1 || layout is not ("nhwc" or "nchw"))
{
    Console.Error.WriteLine("need --threads >= 1, --runs >= 1, --layout nhwc or nchw");
    return 2;
}
torch.set_num_threads(threads);
Console.WriteLine($"libtorch {torch.version}");
Console.WriteLine($"threads {torch.get_num_threads()}");
Console.WriteLine($"layout {layout} runs {runs}");

// (batch, channels, input size, kernel, stride)
(long N, long C, long H, long K, long S)[] shapes =
[
    (128, 48, 28, 3, 1), (128, 96, 28, 3, 2), (128, 96, 14, 3, 1), (128, 144, 14, 3, 1), (128, 144, 14, 3, 2), (128, 192, 7, 3, 1),
    (128, 192, 7, 3, 2), (128, 384, 4, 3, 1), (128, 576, 4, 3, 1), (128, 576, 4, 3, 2), (128, 960, 2, 3, 1),
    (64, 96, 32, 3, 2), (64, 144, 16, 5, 2), (64, 240, 8, 5, 1), (64, 672, 4, 5, 1), (64, 1152, 2, 5, 1), (64, 1152, 2, 3, 1),
];
double totalTheirs = 0, totalOurs = 0;
foreach (var (n, c, h, k, s) in shapes)
{
    using var scope = torch.NewDisposeScope();
    var format = layout == "nhwc" ? MemoryFormat.ChannelsLast : MemoryFormat.Contiguous;
    var x = torch.randn([n, c, h, h]).contiguous(format).requires_grad_();
    var w = torch.randn([c, 1, k, k]).requires_grad_();
    var sw = Stopwatch.StartNew();
    using (var f = F.depthwise_conv2d(x, w, null, (s, s), (k / 2, k / 2), (1, 1), kernel: false)) { }
    double forward = sw.Elapsed.TotalMilliseconds;
    var yTheirs = F.depthwise_conv2d(x, w, null, (s, s), (k / 2, k / 2), (1, 1), kernel: false);
    var yOurs = F.depthwise_conv2d(x, w, null, (s, s), (k / 2, k / 2), (1, 1), kernel: true);
    var dy = torch.randn_like(yTheirs).contiguous(format);
    double Time(Tensor y)
    {
        using var inner = torch.NewDisposeScope();
        var t = Stopwatch.StartNew();
        torch.autograd.grad([y], [w], [dy], retain_graph: true);
        return t.Elapsed.TotalMilliseconds;
    }
    Time(yTheirs);
    Time(yOurs);
    var theirs = new List<double>();
    var ours = new List<double>();
    for (int r = 0; r < runs; r++)
    {
        theirs.Add(Time(yTheirs));
        ours.Add(Time(yOurs));
    }
    double mt = Median(theirs), mo = Median(ours);
    totalTheirs += mt;
    totalOurs += mo;
    string name = $"{n}x{c}x{h}x{h}_k{k}_s{s}";
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}_forward_ms {forward:F2}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}_libtorch_ms {mt:F2}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}_ours_ms {mo:F2}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}_ratio {mt / mo:F2}"));
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total_libtorch_ms {totalTheirs:F2}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total_ours_ms {totalOurs:F2}"));
return 0;

static double Median(List<double> v)
{
    var s = v.Order().ToList();
    return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
}
