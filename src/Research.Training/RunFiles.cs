namespace Research.Training;

/// <summary>The files of a training run directory.</summary>
public sealed record RunFiles(string Dir)
{
    public string Checkpoint => Path.Combine(Dir, EpochLoop.CheckpointFile);
    public string History => Path.Combine(Dir, "history.csv");
    public string Metrics => Path.Combine(Dir, "metrics.json");
    public string Weights => Path.Combine(Dir, "model.safetensors");
    public string Spec => Path.Combine(Dir, "model.yaml");
    public string Config => Path.Combine(Dir, "train.json");
    /// <summary>How inputs were prepared (<see cref="Transforms.Preprocessing"/>): what eval and predict read.</summary>
    public string Preprocess => Path.Combine(Dir, Transforms.Preprocessing.FileName);
    public string Classes => Path.Combine(Dir, "classes.json");
    /// <summary>Image files the dataset left out (bad_images: skip), one a line; absent when none were.</summary>
    public string SkippedImages => Path.Combine(Dir, "skipped_images.txt");

    /// <summary>The run directory a weights file belongs to, when it is a run's model file (model.yaml and preprocess.json beside it).</summary>
    public static RunFiles? Of(string weightsPath)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(weightsPath));
        if (dir is null) return null;
        var files = new RunFiles(dir);
        return File.Exists(files.Spec) && File.Exists(files.Preprocess) ? files : null;
    }
}
