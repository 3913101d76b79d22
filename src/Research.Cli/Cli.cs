using System.CommandLine;
using Research.Cli.Commands;
using Research.Torch;

namespace Research.Cli;

/// <summary>Builds the command tree and runs it; tests call <see cref="Run"/> with argument arrays.</summary>
public static class Cli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("research: neural architecture search and compound scaling of mobile CNNs on libtorch");
        root.Subcommands.Add(DoctorCommand.Create());
        root.Subcommands.Add(ModelsCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(PredictCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(ScaleCommand.Create());
        root.Subcommands.Add(SearchCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
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
        try
        {
            return parsed.Invoke(config);
        }
        // A malformed input file is bad input (2), though the safetensors reader's error is an IOException.
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException
                                      or Research.Torch.IO.SafeTensorsFormatException)
        {
            config.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (Research.Training.TrainingDivergedException e)
        {
            config.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (TorchException e)
        {
            config.Error.WriteLine($"libtorch error: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            config.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
