namespace Research.Models.Networks;

/// <summary>What a dataset feeds a network: classes, image channels and (square) image size.</summary>
public sealed record InputShape(string Name, int Classes, int Channels, int Size);
