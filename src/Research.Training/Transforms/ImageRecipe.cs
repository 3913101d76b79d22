namespace Research.Training.Transforms;

/// <summary>
/// How images become training inputs, chosen by their stored size: small images (at most
/// <see cref="SmallImageLimit"/> pixels a side: Fashion-MNIST, CIFAR) keep their size and are padded
/// and randomly cropped; natural images are randomly resized-cropped for training (torchvision's
/// scale 0.08–1, ratio 3/4–4/3) and resized and center-cropped for evaluation (crop 7/8, as 224 of 256).
/// </summary>
public enum ImageRecipe
{
    SmallImage,
    NaturalImage,
}

public static class ImageRecipes
{
    public const int SmallImageLimit = 64;

    /// <summary>Evaluation crops this fraction of the (shorter-side) resized image: 224 of 256.</summary>
    public const double CenterCropFraction = 0.875;

    public static ImageRecipe For(int storedSize) => storedSize <= SmallImageLimit ? ImageRecipe.SmallImage : ImageRecipe.NaturalImage;

    /// <summary>The training resolution a recipe gives images stored at <paramref name="storedSize"/>: the size itself, or 7/8 of it (rounded to 8).</summary>
    public static int Resolution(ImageRecipe recipe, int storedSize) =>
        recipe == ImageRecipe.SmallImage ? storedSize : Math.Max(8, (int)Math.Round(storedSize * CenterCropFraction / 8) * 8);

    public static string Name(ImageRecipe recipe) => recipe == ImageRecipe.SmallImage ? "small-image" : "natural-image";
}
