namespace Research.Training.Training;

/// <summary>The files of a training run directory.</summary>
public sealed record RunFiles(string Dir)
{
    public string Checkpoint => Path.Combine(Dir, "checkpoint.safetensors");
    public string History => Path.Combine(Dir, "history.csv");
    public string Metrics => Path.Combine(Dir, "metrics.json");
    public string Weights => Path.Combine(Dir, "model.safetensors");
    public string Spec => Path.Combine(Dir, "model.yaml");
    public string Config => Path.Combine(Dir, "train.json");

    /// <summary>Writes text via a temporary file and a rename, so a reader never sees half a file.</summary>
    public static void WriteAtomically(string path, string text)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, text);
        File.Move(tmp, path, overwrite: true);
    }
}
