namespace Research.Torch.IO;

/// <summary>The safetensors dtype codes ("F32", "BF16", ...) and the <see cref="ScalarType"/> each stands for.</summary>
public static class SafeTensorsDType
{
    /// <summary>The codes this binding reads and writes (the format also knows U16, U32, U64 and F8 types, which libtorch 1.13 lacks).</summary>
    public static IReadOnlyList<string> SupportedCodes { get; } = ["F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL"];

    public static string Code(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 => "F64",
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "no safetensors code for this dtype"),
    };

    /// <summary>Parses a code exactly as the format spells it (case-sensitive, like the reference reader).</summary>
    public static bool TryParse(string code, out ScalarType dtype)
    {
        ScalarType? t = code switch
        {
            "F64" => ScalarType.Float64,
            "F32" => ScalarType.Float32,
            "F16" => ScalarType.Float16,
            "BF16" => ScalarType.BFloat16,
            "I64" => ScalarType.Int64,
            "I32" => ScalarType.Int32,
            "I16" => ScalarType.Int16,
            "I8" => ScalarType.Int8,
            "U8" => ScalarType.Byte,
            "BOOL" => ScalarType.Bool,
            _ => null,
        };
        dtype = t ?? default;
        return t.HasValue;
    }
}
