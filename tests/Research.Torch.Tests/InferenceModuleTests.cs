using Research.Torch.Jit;
using F = Research.Torch.torch.nn.functional;

namespace Research.Torch.Tests;

public class InferenceModuleTests
{
    private const string ConvReluSource = """
        def forward(self, x: Tensor) -> Tensor:
            y = torch.conv2d(x, self.w, self.b, [1, 1], [1, 1], [1, 1], 1)
            return torch.add(torch.hardtanh(y, 0.0, 6.0), torch.conv2d(x, self.w, self.b, [1, 1], [1, 1], [1, 1], 1))

        """;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ACompiledModuleComputesWhatTheEagerOpsCompute(bool optimize)
    {
        torch.manual_seed(0);
        // 16 channels: libtorch 1.13's oneDNN hardtanh is wrong on a channel count that is not a multiple of 16 (see TorchScriptSource).
        using var w = torch.randn(16, 3, 3, 3);
        using var b = torch.randn(16);
        using var module = InferenceModule.Compile(ConvReluSource, [("w", w), ("b", b)], optimize);
        foreach (int batch in new[] { 1, 5 })
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var x = torch.randn(batch, 3, 9, 9);
            var y = F.conv2d(x, w, b, padding: 1);
            var expected = F.relu6(y) + y;
            var got = module.forward(x);
            Assert.Equal(expected.shape, got.shape);
            Assert.True((got - expected).abs().max().item<float>() < 1e-5);
        }
    }

    [Fact]
    public void BadSourceOrAMissingTensorIsATorchException()
    {
        using var w = torch.randn(16, 3, 3, 3);
        var e = Assert.Throws<TorchException>(() => InferenceModule.Compile("def forward(self, x: Tensor) -> Tensor:\n    return torch.no_such_op(x)\n", [], optimize: true));
        Assert.Contains("no_such_op", e.Message);
        e = Assert.Throws<TorchException>(() => InferenceModule.Compile(ConvReluSource, [("w", w)], optimize: true));
        Assert.Contains("'b'", e.Message);
        using var b = torch.zeros(16);
        using var module = InferenceModule.Compile(ConvReluSource, [("w", w), ("b", b)], optimize: false);
        using var wrong = torch.randn(1, 4, 9, 9);
        Assert.Throws<TorchException>(() => module.forward(wrong));
    }
}
