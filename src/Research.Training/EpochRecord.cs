using CsvHelper;

namespace Research.Training;

/// <summary>One row of history.csv.</summary>
[CsvRecord]
public sealed partial record EpochRecord
{
    [CsvColumn("epoch")] public int Epoch { get; init; }
    [CsvColumn("lr")] public double LearningRate { get; init; }
    [CsvColumn("train_loss")] public double TrainLoss { get; init; }
    [CsvColumn("train_acc")] public double TrainAccuracy { get; init; }
    [CsvColumn("val_loss")] public double ValLoss { get; init; }
    [CsvColumn("val_top1")] public double ValTop1 { get; init; }
    [CsvColumn("val_top5")] public double ValTop5 { get; init; }
    [CsvColumn("images_per_s")] public double ImagesPerSecond { get; init; }
    [CsvColumn("seconds")] public double Seconds { get; init; }
}
