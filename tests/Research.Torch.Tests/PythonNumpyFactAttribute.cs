namespace Research.Torch.Tests;

/// <summary>A fact that is skipped, with the reason, where /usr/bin/python3 or its numpy is missing.</summary>
public sealed class PythonNumpyFactAttribute : FactAttribute
{
    public PythonNumpyFactAttribute()
    {
        if (PythonNumpy.WhyUnavailable is { } why) Skip = why;
    }
}
