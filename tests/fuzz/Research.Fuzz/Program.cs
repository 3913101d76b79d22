// Research.Fuzz FORMAT            fuzz target for AFL++ (scripts/fuzz.sh; SharpFuzz's forkserver)
// Research.Fuzz FORMAT FILE...    replay inputs (a crash or a finding): prints each verdict
// Research.Fuzz seeds DIR         writes the seed corpora, DIR/<format>/
// Research.Fuzz formats           lists the formats
using Research.Fuzz;
using SharpFuzz;

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Research.Fuzz FORMAT [FILE...] | seeds DIR | formats");
    return 2;
}
switch (args[0])
{
    case "formats":
        foreach (var h in Harnesses.All) Console.WriteLine($"{h.Name,-12} {h.Description} (refusals: {string.Join(", ", h.Allowed.Select(t => t.Name))})");
        return 0;
    case "seeds" when args.Length == 2:
        Seeds.Write(args[1]);
        foreach (var dir in Directory.GetDirectories(args[1]).Order()) Console.WriteLine($"{Path.GetFileName(dir)} {Directory.GetFiles(dir).Length} seed(s)");
        return 0;
}
if (args.Length > 1)
{
    var replayed = Harnesses.Find(args[0]);
    foreach (var file in args.Skip(1))
    {
        string? refusal = Harnesses.Check(replayed, File.ReadAllBytes(file));
        Console.WriteLine(refusal is null ? $"{file}: parsed" : $"{file}: refused: {refusal.ReplaceLineEndings(" ")}");
    }
    return 0;
}
// AFL++ feeds one input per run through the forkserver; an exception outside the contract is a crash.
// Instrumented code may run only inside Run, which maps AFL's coverage memory first: the harness (whose
// table names the libraries' types) is looked up on the first input.
string format = args[0];
Harnesses.Harness? harness = null;
Fuzzer.OutOfProcess.Run(stream =>
{
    harness ??= Harnesses.Find(format);
    using var ms = new MemoryStream();
    stream.CopyTo(ms);
    try
    {
        Harnesses.Check(harness, ms.ToArray());
    }
    catch (Exception e) when (Environment.GetEnvironmentVariable("RESEARCH_FUZZ_CRASH_LOG") is { Length: > 0 } log)
    {
        // What AFL saves as a crash, with the exception that made it (the target's own output is not shown).
        File.AppendAllText(log, $"{e}\n----\n");
        throw;
    }
});
return 0;
