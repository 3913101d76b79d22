using Research.Fuzz;

namespace Research.Cli.Tests;

/// <summary>
/// The fuzzing harnesses' contract, replayed without AFL: every committed finding
/// (tests/fuzz/regressions/FORMAT/*) and every seed either parses or is refused with the
/// format's own exception; anything else (another exception type, an abort) fails the test.
/// </summary>
public class FuzzRegressionTests
{
    public static TheoryData<string, string> Regressions()
    {
        var data = new TheoryData<string, string>();
        var root = Path.Combine(Research.Search.Tests.TestPaths.Repo, "tests", "fuzz", "regressions");
        foreach (var dir in Directory.Exists(root) ? Directory.GetDirectories(root).Order().ToArray() : [])
            foreach (var file in Directory.GetFiles(dir).Where(f => Path.GetFileName(f) != "README.md").Order())
                data.Add(Path.GetFileName(dir), Path.GetRelativePath(root, file));
        if (data.Count == 0) data.Add("block", "");
        return data;
    }

    [Theory]
    [MemberData(nameof(Regressions))]
    public void AFindingIsRefusedWithItsFormatsOwnException(string format, string file)
    {
        var harness = Harnesses.Find(format);
        if (file.Length == 0) return; // no finding committed yet
        var input = File.ReadAllBytes(Path.Combine(Research.Search.Tests.TestPaths.Repo, "tests", "fuzz", "regressions", file));
        _ = Harnesses.Check(harness, input); // throws on anything outside the contract
    }

    [Fact]
    public void EverySeedParsesAndTruncationsAreRefusedWithinTheContract()
    {
        var root = Directory.CreateTempSubdirectory("research-seeds-").FullName;
        Seeds.Write(root);
        foreach (var harness in Harnesses.All)
        {
            var seeds = Directory.GetFiles(Path.Combine(root, harness.Name));
            Assert.True(seeds.Length > 0, $"no seeds for {harness.Name}");
            foreach (var seed in seeds)
            {
                var bytes = File.ReadAllBytes(seed);
                Assert.True(Harnesses.Check(harness, bytes) is null, $"{harness.Name} seed {Path.GetFileName(seed)} is refused: {Harnesses.Check(harness, bytes)}");
                // Every truncation and a flipped byte at a few places: parsed or refused, never anything else.
                foreach (int cut in new[] { 0, 1, bytes.Length / 3, bytes.Length / 2, bytes.Length - 1 }.Where(c => c >= 0 && c < bytes.Length).Distinct())
                    _ = Harnesses.Check(harness, bytes[..cut]);
                foreach (int at in new[] { 0, 8, bytes.Length / 2 }.Where(a => a < bytes.Length).Distinct())
                {
                    var flipped = (byte[])bytes.Clone();
                    flipped[at] ^= 0xFF;
                    _ = Harnesses.Check(harness, flipped);
                }
            }
        }
        Directory.Delete(root, recursive: true);
    }
}
