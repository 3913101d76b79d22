using Research.Models.Networks;
using Research.Models.Specs;
using Research.Models.Weights;
using Research.Torch;
using Research.Torch.IO;
using Research.Training.Transforms;

namespace Research.Training;

/// <summary>
/// A network with its weights loaded for use (eval mode), and how its inputs are prepared when the
/// weights come from a training run. A run's model.safetensors is found with its model.yaml and
/// preprocess.json, so `eval` and `predict` need only the weights file; other files (PyTorch's,
/// torchvision's, timm's, ours from elsewhere) need the model named and load under any naming its
/// family has. Disposing frees the network.
/// </summary>
public sealed class TrainedModel : IDisposable
{
    private TrainedModel(Network network, Preprocessing? preprocessing, RunFiles? run, ImportReport import)
    {
        Network = network;
        Preprocessing = preprocessing;
        Run = run;
        Import = import;
    }

    public Network Network { get; }
    public NetworkSpec Spec => Network.Spec;
    /// <summary>From the run's preprocess.json; null for weights from elsewhere.</summary>
    public Preprocessing? Preprocessing { get; }
    public RunFiles? Run { get; }
    public ImportReport Import { get; }

    /// <param name="model">a registered name, spec or genotype; null to take the run's model.yaml (weights from a run only)</param>
    /// <param name="data">the data the model will see (its shape decides a registered model's input); null for the model's own</param>
    public static TrainedModel Open(string? model, string weights, ModelOverrides overrides, InputShape? data, Device device)
    {
        if (!File.Exists(weights)) throw new FileNotFoundException($"weights file not found: {weights}", weights);
        var run = RunFiles.Of(weights);
        NetworkSpec spec;
        if (model is not null) spec = ModelSource.ResolveFor(model, overrides, data);
        else if (run is not null) spec = SpecYaml.Load(run.Spec);
        else throw new ArgumentException($"the model must be named: {weights} is not a training run's model file (no model.yaml and preprocess.json beside it)");
        var network = NetworkBuilder.Build(spec);
        try
        {
            network.to(device);
            var report = WeightImport.LoadFile(network, weights, newClassifier: false, device);
            network.eval();
            return new TrainedModel(network, run is null ? null : Transforms.Preprocessing.Load(run.Preprocess), run, report);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    public void Dispose() => Network.Dispose();
}
