using Research.Cli.Commands;
using Research.Cli.Distributed;
using Research.Models.Plugins;
using Research.Torch.Distributed;

namespace Research.Cli;

/// <summary>Builds the command tree and runs it; tests call <see cref="Run"/> with argument arrays.</summary>
public static class Cli
{
    /// <summary>
    /// --plugin PATH.dll on every command: an assembly whose [assembly: ResearchPlugin] registrar adds
    /// block kinds, op forms or models before the command runs (loaded explicitly, never by scanning).
    /// </summary>
    public static readonly Option<string[]> Plugin = new("--plugin")
    {
        Description = "load a plugin assembly (.dll) that registers block kinds, search-space ops or models (repeatable)",
        Recursive = true,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("research: neural architecture search and compound scaling of mobile CNNs on libtorch");
        root.Options.Add(Plugin);
        root.Subcommands.Add(DoctorCommand.Create());
        root.Subcommands.Add(SelftestCommand.Create());
        root.Subcommands.Add(ModelsCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(DataCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(PredictCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(ScaleCommand.Create());
        root.Subcommands.Add(SearchCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(LaunchCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(SettingsCommand.Create());
        return root;
    }

    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var config = new InvocationConfiguration
        {
            Output = output ?? Console.Out,
            Error = error ?? Console.Error,
            EnableDefaultExceptionHandler = false,
        };
        var parsed = Build().Parse(args);
        if (parsed.Errors.Count > 0)
        {
            parsed.Invoke(config); // prints the parse errors and help
            return ExitCodes.BadInput;
        }
        var env = DistributedEnvironment.FromProcess();
        string path = string.Join(' ', parsed.CommandResult.Command.Parents.OfType<Command>().Where(c => c is not RootCommand).Reverse()
            .Append(parsed.CommandResult.Command).Select(c => c.Name));
        if (env.IsDistributed && env.Rank > 0 && !CommandWorld.Aware.Contains(path))
        {
            config.Output.WriteLine($"rank {env.Rank}: `research {path}` runs on rank 0 only");
            return ExitCodes.Ok;
        }
        try
        {
            foreach (var plugin in parsed.GetValue(Plugin) ?? []) PluginLoader.Load(plugin);
            return parsed.Invoke(config);
        }
        // A malformed input file is bad input (2), though the safetensors reader's error is an IOException.
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException
                                      or Research.Torch.IO.SafeTensorsFormatException)
        {
            return Fail(config, $"error: {e.Message}", ExitCodes.BadInput);
        }
        // Another rank's failure, named in the message: no note of our own (it would be blamed).
        catch (DistributedException e)
        {
            config.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (Research.Training.TrainingDivergedException e)
        {
            return Fail(config, $"error: {e.Message}", ExitCodes.Failure);
        }
        catch (TorchException e)
        {
            return Fail(config, $"libtorch error: {e.Message}", ExitCodes.Failure);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            return Fail(config, $"error: {e.Message}", ExitCodes.Failure);
        }
    }

    private static int Fail(InvocationConfiguration config, string message, int code)
    {
        config.Error.WriteLine(message);
        CommandWorld.NoteFailure(message);
        return code;
    }
}
