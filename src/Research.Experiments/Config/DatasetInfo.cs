namespace Research.Experiments.Config;

/// <summary>What a dataset feeds a network (known without loading it): classes, channels, image size.</summary>
public sealed record DatasetInfo(string Name, int Classes, int Channels, int Size)
{
    public static IReadOnlyList<DatasetInfo> All { get; } =
    [
        new(DatasetCatalog.FashionMnistName, FashionMnist.ClassNames.Count, 1, FashionMnist.Size),
        new(DatasetCatalog.Cifar10Name, Cifar.Cifar10ClassNames.Count, Cifar.Channels, Cifar.Size),
        new(DatasetCatalog.Cifar100Name, Cifar.Cifar100ClassNames.Count, Cifar.Channels, Cifar.Size),
        new(DatasetCatalog.SyntheticName, Synthetic.DefaultClasses, Synthetic.DefaultChannels, Synthetic.DefaultSize),
    ];

    public static DatasetInfo? Find(string name) => All.FirstOrDefault(d => d.Name == name);

    public Models.Networks.InputShape Shape => new(Name, Classes, Channels, Size);
}
