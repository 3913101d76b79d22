using System.Diagnostics;
using System.Globalization;
using Research.Models.Networks;
using Research.Models.Specs;
using Research.Torch;

namespace Research.Training;

/// <summary>
/// memory_format auto: times a few training steps (forward, backward; random data of the run's
/// batch shape) of a throwaway copy of the network in each layout and picks the faster. The run's
/// own weights and random stream are untouched: the copy draws from a generator state that is saved
/// and restored.
/// </summary>
public sealed record MemoryLayoutProbe(string Choice, double ContiguousMs, double ChannelsLastMs)
{
    public const int WarmupSteps = 2;
    public const int TimedSteps = 5;

    public static MemoryLayoutProbe Run(NetworkSpec spec, Device device, int batch)
    {
        using var state = torch.random.get_rng_state();
        try
        {
            using var contiguous = new Candidate(spec, device, batch, MemoryLayout.Contiguous);
            using var channelsLast = new Candidate(spec, device, batch, MemoryLayout.ChannelsLast);
            for (int i = 0; i < WarmupSteps; i++)
            {
                contiguous.Step();
                channelsLast.Step();
            }
            // Alternating, so that whatever drifts meanwhile (the allocator's pool, other processes) falls on both.
            var times = (Contiguous: new List<double>(), ChannelsLast: new List<double>());
            for (int i = 0; i < TimedSteps; i++)
            {
                times.Contiguous.Add(contiguous.Step());
                times.ChannelsLast.Add(channelsLast.Step());
            }
            double c = Median(times.Contiguous), cl = Median(times.ChannelsLast);
            return new MemoryLayoutProbe(cl < c ? MemoryLayout.ChannelsLast : MemoryLayout.Contiguous, c, cl);
        }
        finally
        {
            torch.random.set_rng_state(state);
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>A throwaway copy of the network in one layout, with a random batch of the run's shape.</summary>
    private sealed class Candidate : IDisposable
    {
        private readonly Network _net;
        private readonly Tensor _x, _y;
        private readonly Device _device;

        public Candidate(NetworkSpec spec, Device device, int batch, string layout)
        {
            torch.manual_seed(0);
            _device = device;
            _net = NetworkBuilder.Build(spec);
            var format = MemoryLayout.Resolve(layout);
            _net.to(device).to(format).train();
            using var x0 = torch.randn([batch, spec.InChannels, spec.Resolution, spec.Resolution], device: device);
            _x = x0.contiguous(format);
            _y = torch.randint(0, spec.Classes, [batch], device: device);
        }

        /// <summary>One forward and backward; milliseconds.</summary>
        public double Step()
        {
            var clock = Stopwatch.StartNew();
            using (torch.NewDisposeScope())
            {
                _net.zero_grad();
                torch.nn.functional.cross_entropy(_net.call(_x), _y).backward();
                if (_device.Type == DeviceType.CUDA) torch.cuda.synchronize();
            }
            return clock.Elapsed.TotalMilliseconds;
        }

        public void Dispose()
        {
            _net.Dispose();
            _x.Dispose();
            _y.Dispose();
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"probe {TimedSteps} steps each: contiguous {ContiguousMs:F1} ms, channels_last {ChannelsLastMs:F1} ms");
}
