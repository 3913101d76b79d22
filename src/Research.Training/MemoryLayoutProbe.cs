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
    public const int TimedSteps = 3;

    public static MemoryLayoutProbe Run(NetworkSpec spec, Device device, int batch)
    {
        using var state = torch.random.get_rng_state();
        try
        {
            double Time(string layout)
            {
                torch.manual_seed(0);
                using var net = NetworkBuilder.Build(spec);
                var format = MemoryLayout.Resolve(layout);
                net.to(device).to(format).train();
                using var x0 = torch.randn([batch, spec.InChannels, spec.Resolution, spec.Resolution], device: device);
                using var x = x0.contiguous(format);
                using var y = torch.randint(0, spec.Classes, [batch], device: device);
                var times = new List<double>();
                for (int i = 0; i < WarmupSteps + TimedSteps; i++)
                {
                    var clock = Stopwatch.StartNew();
                    using (torch.NewDisposeScope())
                    {
                        net.zero_grad();
                        torch.nn.functional.cross_entropy(net.call(x), y).backward();
                        if (device.Type == DeviceType.CUDA) torch.cuda.synchronize();
                    }
                    if (i >= WarmupSteps) times.Add(clock.Elapsed.TotalMilliseconds);
                }
                return times.Order().ElementAt(times.Count / 2);
            }
            double contiguous = Time(MemoryLayout.Contiguous), channelsLast = Time(MemoryLayout.ChannelsLast);
            return new MemoryLayoutProbe(channelsLast < contiguous ? MemoryLayout.ChannelsLast : MemoryLayout.Contiguous, contiguous, channelsLast);
        }
        finally
        {
            torch.random.set_rng_state(state);
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"probe {TimedSteps} steps each: contiguous {ContiguousMs:F1} ms, channels_last {ChannelsLastMs:F1} ms");
}
