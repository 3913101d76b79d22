using Research.Models.Cost;

namespace Research.Models.Tests;

/// <summary>Parameter and MAC counts against the reference implementations (1000 classes, 3 channels).</summary>
public class ReferenceCountTests
{
    // torchvision 0.14 (Debian's python3-torchvision): parameters exact, MACs from conv and linear layers.
    [Theory]
    [InlineData("efficientnet_b0", 5_288_548, 385_814_752)]
    [InlineData("mobilenet_v2", 3_504_872, 300_774_272)]
    [InlineData("mobilenet_v3_large", 5_483_032, 216_589_760)]
    [InlineData("mobilenet_v3_small", 2_542_856, 56_510_400)]
    [InlineData("shufflenet_v2_x0_5", 1_366_792, 40_476_448)]
    [InlineData("shufflenet_v2_x1_0", 2_278_604, 144_907_992)]
    [InlineData("shufflenet_v2_x1_5", 3_503_624, 295_759_392)]
    [InlineData("shufflenet_v2_x2_0", 7_393_996, 583_253_464)]
    // The official GhostNet and MobileNeXt code (see README: which figures we matched).
    [InlineData("ghostnet_1_0", 5_182_508, 141_150_512)]
    [InlineData("mobilenext_1_0", 3_535_416, 311_342_592)]
    // ShuffleNet v1: bench/references/reference_models.py (megvii's network.py/blocks.py layout); the
    // official README lists 1.9M parameters and 138M FLOPs for 1.0x, g = 3.
    [InlineData("mobilenet_v1", 4_231_976, 568_740_352)]   // the paper: 4.2M, 569M mult-adds
    [InlineData("shufflenet_v1_g1", 1_530_936, 143_078_976)]
    [InlineData("shufflenet_v1_g2", 1_732_848, 140_836_512)]
    [InlineData("shufflenet_v1_g3", 1_864_728, 137_460_672)]
    [InlineData("shufflenet_v1_g4", 1_967_344, 134_339_776)]
    [InlineData("shufflenet_v1_g8", 2_433_768, 138_365_952)]
    [InlineData("shufflenet_v1_g3_x0_5", 717_324, 37_589_856)]
    [InlineData("shufflenet_v1_g8_x2_0", 6_521_232, 521_942_016)]
    public void CostModelEqualsTheReference(string model, long parameters, long macs)
    {
        var cost = CostModel.Estimate(ModelRegistry.Default.Create(model));
        Assert.Equal(parameters, cost.Params);
        Assert.Equal(macs, cost.Macs);
    }
}
