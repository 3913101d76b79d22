namespace Research.Torch.Distributed;

/// <summary>How an all-reduce combines the ranks' tensors (the codes of native/distributed.cpp). Gloo has no average: sum and divide.</summary>
public enum ReduceOp
{
    Sum = 0,
    Product = 1,
    Min = 2,
    Max = 3,
}
