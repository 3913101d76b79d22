namespace Research.Core.Tests;

/// <summary>A fact that is skipped (not passed) unless the tests run as root (it makes device nodes with mknod).</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public static bool IsRoot => Environment.IsPrivilegedProcess;

    public RootFactAttribute()
    {
        if (!IsRoot) Skip = "needs root (mknod makes a private device node)";
    }
}
