using System.Text.Json;
using Research.Models.Networks;
using Research.Models.Weights;

namespace Research.Models.Tests;

/// <summary>Every mapped family's names equal the reference implementation's state dict, tensor for tensor, with the same shapes; maps are one-to-one.</summary>
public class NameMapTests
{
    private static List<(string Name, long[] Shape)> Reference(string naming, string model)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "assets", "state-dicts", naming, model + ".json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.EnumerateArray().Select(e => (e[0].GetString()!, e[1].EnumerateArray().Select(x => x.GetInt64()).ToArray())).ToList();
    }

    public static TheoryData<string, string> Mapped() => new()
    {
        { "efficientnet_b0", WeightNaming.Torchvision }, { "efficientnet_b1", WeightNaming.Torchvision }, { "efficientnet_b2", WeightNaming.Torchvision },
        { "efficientnet_b3", WeightNaming.Torchvision }, { "efficientnet_b4", WeightNaming.Torchvision }, { "efficientnet_b5", WeightNaming.Torchvision },
        { "efficientnet_b6", WeightNaming.Torchvision }, { "efficientnet_b7", WeightNaming.Torchvision },
        { "mobilenet_v2", WeightNaming.Torchvision }, { "mobilenet_v3_large", WeightNaming.Torchvision }, { "mobilenet_v3_small", WeightNaming.Torchvision },
        { "shufflenet_v2_x0_5", WeightNaming.Torchvision }, { "shufflenet_v2_x1_0", WeightNaming.Torchvision },
        { "shufflenet_v2_x1_5", WeightNaming.Torchvision }, { "shufflenet_v2_x2_0", WeightNaming.Torchvision },
        { "efficientnet_b0", WeightNaming.Timm }, { "efficientnet_b7", WeightNaming.Timm },
        { "ghostnet_1_0", WeightNaming.Official }, { "mobilenext_1_0", WeightNaming.Official },
        { "shufflenet_v1_g3", WeightNaming.Official }, { "shufflenet_v1_g8_x0_5", WeightNaming.Official },
    };

    [Theory]
    [MemberData(nameof(Mapped))]
    public void OurTensorsGetTheReferenceNamesAndShapesInTheirOrder(string model, string naming)
    {
        using var net = NetworkBuilder.Build(ModelRegistry.Default.Create(model));
        var map = NameMaps.Default.For(net, naming);
        var reference = Reference(naming, model);
        var ours = net.state_dict();
        try
        {
            Assert.Equal(reference.Select(r => r.Name), map.TheirNames);
            var shapes = reference.ToDictionary(r => r.Name, r => r.Shape);
            foreach (var (name, tensor) in ours) Assert.True(shapes[map.Theirs(name)].SequenceEqual(tensor.shape), $"{name} → {map.Theirs(name)}: shape differs");
            // One-to-one both ways.
            foreach (var (oursName, theirs) in map.Pairs)
            {
                Assert.True(map.TryOurs(theirs, out var back));
                Assert.Equal(oursName, back);
            }
        }
        finally
        {
            foreach (var t in ours.Values) t.Dispose();
        }
    }

    [Fact]
    public void AWidthMultipliedOrSmallInputModelKeepsItsFamilyNames()
    {
        using var net = NetworkBuilder.Build(ModelRegistry.Default.Create("mobilenet_v2", new ModelOptions { WidthMultiplier = 0.5, SmallInput = true, Classes = 10, InChannels = 1 }));
        var map = NameMaps.Default.For(net, WeightNaming.Torchvision);
        Assert.Equal(Reference(WeightNaming.Torchvision, "mobilenet_v2").Select(r => r.Name), map.TheirNames);
        using var shuffle = NetworkBuilder.Build(ModelRegistry.Default.Create("shufflenet_v2_x0_5", new ModelOptions { SmallInput = true }));
        Assert.Equal(Reference(WeightNaming.Torchvision, "shufflenet_v2_x0_5").Select(r => r.Name), NameMaps.Default.For(shuffle, WeightNaming.Torchvision).TheirNames);
    }

    [Fact]
    public void ModelsWithoutAReferenceHaveOnlyOurNames()
    {
        var spec = ModelRegistry.Default.Create("mobilenet_v2") with { Name = "my_net" };
        using var net = NetworkBuilder.Build(spec);
        Assert.Equal([WeightNaming.Ours], NameMaps.Default.NamingsFor(net));
        var e = Assert.Throws<ArgumentException>(() => NameMaps.Default.For(net, WeightNaming.Torchvision));
        Assert.Contains("my_net has no torchvision names", e.Message);
        using var mobilenet = NetworkBuilder.Build(ModelRegistry.Default.Create("mobilenet_v2"));
        Assert.Equal([WeightNaming.Ours, WeightNaming.Torchvision], NameMaps.Default.NamingsFor(mobilenet));
        Assert.Throws<ArgumentException>(() => NameMaps.Default.For(mobilenet, WeightNaming.Timm));
    }
}
