using Research.Torch.Modules;
using Research.Torch.Optim;

namespace Research.Torch.Tests;

/// <summary>Small networks fit small seeded, separable problems to 100% training accuracy.</summary>
[Collection(SerialRngCollection.Name)]
public sealed class LearningTests
{
    private const int Samples = 64;

    private static long Correct(Module<Tensor, Tensor> model, Tensor x, Tensor y)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        return model.call(x).argmax(1).eq(y).sum().item<long>();
    }

    private static List<double> Train(Module<Tensor, Tensor> model, Optimizer opt, Tensor x, Tensor y, int steps)
    {
        var losses = new List<double>();
        model.train();
        for (int t = 0; t < steps; t++)
        {
            using var scope = torch.NewDisposeScope();
            var loss = torch.nn.functional.cross_entropy(model.call(x), y);
            opt.zero_grad();
            loss.backward();
            opt.step();
            losses.Add(loss.item<float>());
        }
        model.eval();
        return losses;
    }

    [Fact]
    public void MlpLearnsXorOfSigns()
    {
        // Points pushed at least 0.5 away from both axes; class = sign(x₀) == sign(x₁).
        // Not linearly separable, so the hidden layer has to do the work.
        torch.manual_seed(11);
        using var scope = torch.NewDisposeScope();
        var raw = torch.randn(Samples, 2);
        var x = raw + raw.sign() * 0.5;
        var v = x.ToArray<float>();
        var labels = new long[Samples];
        for (int i = 0; i < Samples; i++) labels[i] = v[2 * i] * v[2 * i + 1] > 0 ? 1 : 0;
        var y = torch.tensor(labels);
        Assert.InRange(labels.Sum(), 16, 48); // both classes well represented

        using var model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2));
        using var opt = new Adam(model.parameters(), lr: 0.03);
        long before = Correct(model, x, y);
        var losses = Train(model, opt, x, y, steps: 200);

        Assert.Equal(Samples, Correct(model, x, y));
        Assert.True(before < Samples, "the untrained model already fits");
        Assert.True(losses[^1] < 0.2 * losses[0], $"loss {losses[0]} → {losses[^1]}");
    }

    [Fact]
    public void CnnLearnsBarOrientation()
    {
        // 1×8×8 images: a horizontal bar (class 0) or a vertical bar (class 1) at a random
        // position, over Gaussian noise of std 0.3.
        torch.manual_seed(12);
        using var scope = torch.NewDisposeScope();
        var cls = torch.randint(0, 2, [Samples]).ToArray<long>();
        var pos = torch.randint(0, 8, [Samples]).ToArray<long>();
        var pixels = (torch.randn(Samples, 1, 8, 8) * 0.3).ToArray<float>();
        for (int n = 0; n < Samples; n++)
            for (int k = 0; k < 8; k++)
            {
                var (r, c) = cls[n] == 0 ? (pos[n], (long)k) : (k, pos[n]);
                pixels[n * 64 + r * 8 + c] += 1;
            }
        var x = torch.tensor(pixels, [Samples, 1, 8, 8]);
        var y = torch.tensor(cls);
        Assert.InRange(cls.Sum(), 16, 48);

        using var model = torch.nn.Sequential(
            torch.nn.Conv2d(1, 8, 3, padding: 1),
            torch.nn.BatchNorm2d(8),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),
            torch.nn.Flatten(),
            torch.nn.Linear(8 * 4 * 4, 2));
        using var opt = new Adam(model.parameters(), lr: 0.01);
        model.eval();
        long before = Correct(model, x, y);
        var losses = Train(model, opt, x, y, steps: 60);

        // Evaluated in eval mode: BN uses the running statistics it gathered.
        Assert.Equal(Samples, Correct(model, x, y));
        Assert.True(before < Samples, "the untrained model already fits");
        Assert.True(losses[^1] < 0.2 * losses[0], $"loss {losses[0]} → {losses[^1]}");
        Assert.Equal(60L, ((BatchNorm2d)model[1]).num_batches_tracked!.item<long>());
    }
}
