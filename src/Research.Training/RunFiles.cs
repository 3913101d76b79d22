namespace Research.Training;

/// <summary>The files of a training run directory.</summary>
public sealed record RunFiles(string Dir)
{
    public string Checkpoint => Path.Combine(Dir, "checkpoint.safetensors");
    public string History => Path.Combine(Dir, "history.csv");
    public string Metrics => Path.Combine(Dir, "metrics.json");
    public string Weights => Path.Combine(Dir, "model.safetensors");
    public string Spec => Path.Combine(Dir, "model.yaml");
    public string Config => Path.Combine(Dir, "train.json");
}
