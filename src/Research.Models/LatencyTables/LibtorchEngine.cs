namespace Research.Models.LatencyTables;

/// <summary>Latency in libtorch: the module's eager forward at eval, without gradients, on a CPU or a CUDA device.</summary>
public sealed class LibtorchEngine(Device device) : ILatencyEngine
{
    public string Name => "libtorch";
    public string Version => torch.version;
    public Device Device => device;

    public double MeasurePart(TracedNetwork network, TracedPart part, int batch, LatencyTiming timing)
    {
        Place(network);
        using var x = torch.randn([batch, part.Key.Channels, part.Key.Height, part.Key.Width], device: device);
        return timing.Forward(part.Forward, x);
    }

    public double MeasureNetwork(TracedNetwork network, int batch, LatencyTiming timing)
    {
        Place(network);
        var spec = network.Spec;
        using var x = torch.randn([batch, spec.InChannels, spec.Resolution, spec.Resolution], device: device);
        return timing.Forward(network.Network.call, x);
    }

    private void Place(TracedNetwork network)
    {
        if (network.Network.parameters().First().device != device) network.Network.to(device);
        network.Network.eval();
    }
}
