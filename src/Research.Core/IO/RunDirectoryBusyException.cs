namespace Research.Core.IO;

/// <summary>A run directory that another process is writing: the holder as its note names it.</summary>
public sealed class RunDirectoryBusyException(string dir, string holder)
    : IOException($"{dir} is being written by {holder}; a run directory has one writer at a time: wait for it to finish or write elsewhere")
{
    public string Dir { get; } = dir;
    public string Holder { get; } = holder;
}
