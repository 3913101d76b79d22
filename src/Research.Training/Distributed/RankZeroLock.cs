using Research.Core.IO;
using Research.Torch.Distributed;

namespace Research.Training.Distributed;

/// <summary>
/// A run directory's lock (<see cref="RunDirectoryLock"/>) for a world: rank 0, the one rank that
/// writes there, holds it, and every rank learns whether it got it through the store, so that a
/// refused writer stops every rank at once with the holder's name instead of leaving the others
/// waiting at the next collective. A refusal ends with a barrier, so rank 0 (which hosts the store)
/// does not leave before every rank has read it.
/// </summary>
public static class RankZeroLock
{
    /// <returns>the lock on rank 0 (or in a process alone), null on the other ranks</returns>
    /// <exception cref="RunDirectoryBusyException">on every rank, when another process writes the directory</exception>
    public static RunDirectoryLock? Hold(string dir, DistributedWorld? world)
    {
        if (world is not { WorldSize: > 1 }) return RunDirectoryLock.Acquire(dir);
        string key = world.NextKey("run-directory-lock");
        string refusal;
        RunDirectoryLock? held = null;
        if (world.IsMain)
        {
            held = RunDirectoryLock.TryAcquire(dir, out var holder);
            refusal = holder ?? "";
            world.Store.Set(key, refusal);
        }
        else refusal = world.Store.GetString(world.WaitForAny([key], $"waiting for rank 0 to lock {dir}"));
        if (refusal.Length == 0) return held;
        world.Group.Barrier();
        throw new RunDirectoryBusyException(Path.GetFullPath(dir), refusal);
    }
}
