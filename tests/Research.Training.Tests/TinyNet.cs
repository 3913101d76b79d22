using Research.Models.Specs;

namespace Research.Training.Tests;

/// <summary>A very small network for fast training tests (1×28×28 in, 10 classes).</summary>
internal static class TinyNet
{
    public const string Yaml = """
        name: tiny
        in_channels: 1
        classes: 10
        resolution: 28
        stem: cn_r1_k3_s1_c8_arelu
        stages:
          - [ir_r1_k3_s2_e2_c16_arelu]
          - [ir_r1_k3_s2_e2_c24_arelu]
        head: {conv: 32, conv_act: relu, dropout: 0.1}
        """;

    public static NetworkSpec Spec => SpecYaml.Parse(Yaml, "tiny.yaml");
}
