using Research.Training.Data;

namespace Research.Search;

/// <summary>What training one candidate on its seeds gave: the held-out top-1 per seed, the training time, the epochs trained.</summary>
public sealed record SeedScores(double[] Accuracies, double Seconds, int Epochs);

/// <summary>
/// What the grid search and the scaling ablation do with each candidate: train it on the proxy task
/// once per seed, each seed in its own folder (<c>DIR/seedS</c>) with checkpoints and resume, so a
/// killed search recomputes nothing that finished, and score it on the held-out part.
/// </summary>
public static class CandidateTraining
{
    /// <param name="stopAfterEpoch">a schedule's rung (null: the recipe's whole budget)</param>
    public static SeedScores Train(NetworkSpec spec, DatasetPair proxy, string datasetName, TrainConfig recipe, IReadOnlyList<int> seeds, string dir,
        Device? device, int? stopAfterEpoch = null)
    {
        var accuracies = new double[seeds.Count];
        double seconds = 0;
        int epochs = 0;
        for (int i = 0; i < seeds.Count; i++)
        {
            var r = Trainer.Run(spec, proxy, datasetName, recipe with { Seed = seeds[i] }, new TrainerOptions
            {
                OutDir = Path.Combine(dir, $"seed{seeds[i]}"), Resume = true, Device = device ?? Device.CPU, StopAfterEpoch = stopAfterEpoch,
            });
            accuracies[i] = r.Final.ValTop1;
            seconds += r.Seconds;
            epochs = r.Epochs;
        }
        return new SeedScores(accuracies, seconds, epochs);
    }
}
