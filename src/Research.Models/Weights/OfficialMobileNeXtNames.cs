namespace Research.Models.Weights;

/// <summary>
/// MobileNeXt's official code (yitu-opensource, mnext.py): features.0 the stem [conv, BN];
/// features.k (k = 1…20) a sandglass block whose `conv` Sequential is one of three layouts —
/// both depthwise convs: dw 0-1, reduce 3-4, expand 5-6, dw 8-9 (ReLU6 at 2 and 7); a striding
/// one without the first: reduce 0-1, expand 2-3, dw 5-6; a stride-1 width change: reduce 0-1,
/// expand 2-3 — then classifier.1 (after a Dropout).
/// </summary>
internal static class OfficialMobileNeXtNames
{
    public static ModuleNames Modules(Network net)
    {
        var names = new ModuleNames(WeightNaming.Official);
        names.ConvBnSequential("stem", "features.0");
        names.BlocksOf(net, "official.mobilenext", (_, _, k) => $"features.{k}.conv", first: 1);
        names.Add("classifier", "classifier.1");
        return names;
    }
}
