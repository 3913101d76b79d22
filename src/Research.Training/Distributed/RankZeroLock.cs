using Research.Core.IO;
using Research.Torch.Distributed;

namespace Research.Training.Distributed;

/// <summary>
/// A run directory's lock (<see cref="RunDirectoryLock"/>) for a world: rank 0, the one rank that
/// writes there, holds it, and every rank learns whether it got it, so that a refused writer stops
/// every rank at once with the holder's name instead of leaving the others waiting at the next
/// collective.
/// </summary>
public static class RankZeroLock
{
    /// <returns>the lock on rank 0 (or in a process alone), null on the other ranks</returns>
    /// <exception cref="RunDirectoryBusyException">on every rank, when another process writes the directory</exception>
    public static RunDirectoryLock? Hold(string dir, DistributedWorld? world)
    {
        if (world is not { WorldSize: > 1 }) return RunDirectoryLock.Acquire(dir);
        string key = world.NextKey("run-directory-lock");
        if (world.IsMain)
        {
            var held = RunDirectoryLock.TryAcquire(dir, out var holder);
            world.Store.Set(key, holder ?? "");
            return held ?? throw new RunDirectoryBusyException(Path.GetFullPath(dir), holder!);
        }
        string refusal = world.Store.GetString(world.WaitForAny([key], $"waiting for rank 0 to lock {dir}"));
        return refusal.Length == 0 ? null : throw new RunDirectoryBusyException(Path.GetFullPath(dir), refusal);
    }
}
