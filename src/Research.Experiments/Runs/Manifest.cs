using System.Text.Json;
using System.Text.Json.Nodes;

namespace Research.Experiments.Runs;

public static class StageStatus
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Done = "done";
    public const string Failed = "failed";
}

/// <summary>One stage's line in the manifest.</summary>
public sealed class StageRecord
{
    public required string Name { get; init; }
    public string Status { get; set; } = StageStatus.Pending;
    public DateTimeOffset? Started { get; set; }
    public DateTimeOffset? Ended { get; set; }
    public double? Seconds { get; set; }
    public string? Error { get; set; }
    /// <summary>e.g. "from_run runs/x/grid".</summary>
    public string? Note { get; set; }
}

/// <summary>
/// manifest.json: the resolved config, its hash and inputs, the environment (git commit, .NET,
/// libtorch, CUDA, device), start and end times, and each stage's status
/// (pending | running | done | failed) with its times. Written atomically at every change.
/// </summary>
public sealed class Manifest
{
    public required string Name { get; init; }
    public required string Hash { get; init; }
    public string? ExperimentFile { get; set; }
    public int Seed { get; init; }
    public required JsonNode Config { get; init; }
    public JsonObject Inputs { get; init; } = new();
    public JsonObject? Environment { get; set; }
    public string Status { get; set; } = StageStatus.Pending;
    public DateTimeOffset Started { get; set; }
    public DateTimeOffset? LastStarted { get; set; }
    public DateTimeOffset? Ended { get; set; }
    public int Invocations { get; set; }
    public List<StageRecord> Stages { get; init; } = new();

    public StageRecord Stage(string name) => Stages.First(s => s.Name == name);

    private static string? T(DateTimeOffset? t) => t?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    public JsonObject ToJson()
    {
        var stages = new JsonObject();
        foreach (var s in Stages)
            stages[s.Name] = new JsonObject
            {
                ["status"] = s.Status, ["started"] = T(s.Started), ["ended"] = T(s.Ended), ["seconds"] = s.Seconds, ["error"] = s.Error, ["note"] = s.Note,
            };
        return new JsonObject
        {
            ["name"] = Name, ["hash"] = Hash, ["experiment_file"] = ExperimentFile, ["seed"] = Seed, ["status"] = Status,
            ["started"] = T(Started), ["last_started"] = T(LastStarted), ["ended"] = T(Ended), ["invocations"] = Invocations,
            ["environment"] = Environment?.DeepClone(), ["stages"] = stages, ["config"] = Config.DeepClone(), ["inputs"] = Inputs.DeepClone(),
        };
    }

    public void Save(string path) =>
        DurableFile.WriteAllText(path, ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = global::Research.Experiments.Config.CanonicalJson.Options.Encoder }) + "\n");

    public static Manifest Load(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid manifest ({e.Message})");
        }
        if (root is not JsonObject o) throw new InvalidDataException($"{path}: not a valid manifest (expected a JSON object)");
        static DateTimeOffset? D(JsonNode? n) => n is null ? null : DateTimeOffset.Parse(n.GetValue<string>(), CultureInfo.InvariantCulture);
        var m = new Manifest
        {
            Name = o["name"]?.GetValue<string>() ?? throw new InvalidDataException($"{path}: no name"),
            Hash = o["hash"]?.GetValue<string>() ?? "",
            ExperimentFile = o["experiment_file"]?.GetValue<string>(),
            Seed = o["seed"]?.GetValue<int>() ?? 0,
            Config = o["config"]?.DeepClone() ?? new JsonObject(),
            Inputs = o["inputs"]?.DeepClone() as JsonObject ?? new JsonObject(),
            Environment = o["environment"]?.DeepClone() as JsonObject,
            Status = o["status"]?.GetValue<string>() ?? StageStatus.Pending,
            Started = D(o["started"]) ?? DateTimeOffset.UtcNow,
            LastStarted = D(o["last_started"]),
            Ended = D(o["ended"]),
            Invocations = o["invocations"]?.GetValue<int>() ?? 0,
        };
        if (o["stages"] is JsonObject stages)
            foreach (var (name, node) in stages)
                m.Stages.Add(new StageRecord
                {
                    Name = name, Status = node?["status"]?.GetValue<string>() ?? StageStatus.Pending, Started = D(node?["started"]), Ended = D(node?["ended"]),
                    Seconds = node?["seconds"]?.GetValue<double>(), Error = node?["error"]?.GetValue<string>(), Note = node?["note"]?.GetValue<string>(),
                });
        return m;
    }
}
