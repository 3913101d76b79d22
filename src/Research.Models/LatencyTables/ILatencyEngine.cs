namespace Research.Models.LatencyTables;

/// <summary>What runs a network when its latency is measured: libtorch (eager, as `eval` runs) or another runtime.</summary>
public interface ILatencyEngine
{
    /// <summary>The engine's name in a table's machine key (libtorch, onnxruntime).</summary>
    string Name { get; }
    string Version { get; }
    Research.Torch.Device Device { get; }

    /// <summary>Median milliseconds of one part of a traced network, run alone on a batch of its input shape.</summary>
    double MeasurePart(TracedNetwork network, TracedPart part, int batch, LatencyTiming timing);

    /// <summary>Median milliseconds of the whole network's forward on a batch.</summary>
    double MeasureNetwork(TracedNetwork network, int batch, LatencyTiming timing);
}
