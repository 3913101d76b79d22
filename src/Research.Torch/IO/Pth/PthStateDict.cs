namespace Research.Torch.IO.Pth;

/// <summary>
/// The tensors of a PyTorch state dict file, by name, in the order the file lists them, owned as
/// a <see cref="TensorDictionary"/>. Tensors come out contiguous and without requires_grad,
/// whatever layout and flags they were saved with.
/// </summary>
public sealed class PthStateDict : TensorDictionary
{
    internal PthStateDict(string path, string? checkpointKey, IReadOnlyList<string> names, Tensor[] tensors) : base(names, tensors)
    {
        Path = path;
        CheckpointKey = checkpointKey;
    }

    public override string Path { get; }

    /// <summary>
    /// The key of the checkpoint entry the tensors came from ("state_dict" or "model") when the
    /// file is a checkpoint dict wrapping the state dict; null when the file is the state dict itself.
    /// </summary>
    public string? CheckpointKey { get; }
}
