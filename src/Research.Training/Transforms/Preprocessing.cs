using System.Text.Json;
using Research.Core.IO;

namespace Research.Training.Transforms;

/// <summary>
/// How images become a trained model's input, as the run recorded it (preprocess.json): the
/// dataset's image shape and per-channel statistics, the model's channels and resolution, the
/// class names, and the evaluation batch. `research eval` and `predict` read it, so a model is
/// scored and used exactly as it was trained and tested.
/// </summary>
public sealed record Preprocessing
{
    public required string Dataset { get; init; }
    public string? DataDir { get; init; }
    public required float[] Mean { get; init; }
    public required float[] Std { get; init; }
    public required int ImageChannels { get; init; }
    public required int ImageHeight { get; init; }
    public required int ImageWidth { get; init; }
    public required int ModelChannels { get; init; }
    public required int Resolution { get; init; }
    public required string[] ClassNames { get; init; }
    /// <summary>The batch the run evaluated with (its figures reproduce exactly at this batch).</summary>
    public int EvalBatch { get; init; } = 256;
    /// <summary>small-image (resized to the resolution) or natural-image (resized and center-cropped): <see cref="ImageRecipe"/>.</summary>
    public string Recipe { get; init; } = ImageRecipes.Name(ImageRecipe.SmallImage);

    public const string FileName = "preprocess.json";

    public ChannelStats Stats => new(Mean, Std);

    /// <summary>What training on <paramref name="train"/> records: its statistics and shape, the model's input, the class names.</summary>
    public static Preprocessing For(Data.DatasetPair pair, Data.DataConfig data, Models.Specs.NetworkSpec spec, int evalBatch = 256)
    {
        var train = pair.Train;
        var stats = pair.Stats();
        return new Preprocessing
        {
            Dataset = data.Name, DataDir = data.DataDir, Mean = stats.Mean, Std = stats.Std, ImageChannels = train.Channels, ImageHeight = train.Height,
            ImageWidth = train.Width, ModelChannels = spec.InChannels, Resolution = spec.Resolution, ClassNames = ClassNamesOf(train), EvalBatch = evalBatch,
            Recipe = ImageRecipes.Name(pair.Recipe),
        };
    }

    /// <summary>The dataset's class names, or the label numbers when it has none.</summary>
    public static string[] ClassNamesOf(Data.ImageDataset data) =>
        data.ClassNames ?? Enumerable.Range(0, data.Classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    /// <summary>The evaluation transform (no augmentation).</summary>
    public BatchTransform EvalTransform() =>
        new(Stats, ModelChannels, Resolution, AugmentConfig.None, Recipe == ImageRecipes.Name(ImageRecipe.NaturalImage) ? ImageRecipe.NaturalImage : ImageRecipe.SmallImage);

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public void Save(string path) => DurableFile.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");

    public static Preprocessing Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<Preprocessing>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a preprocessing file ({e.Message})", e);
        }
    }

    /// <summary>classes.json: the class names in label order, for anyone reading the run.</summary>
    public static void SaveClasses(string path, IReadOnlyList<string> names) =>
        DurableFile.WriteAllText(path, JsonSerializer.Serialize(names, Json) + "\n");
}
