using System.Diagnostics;
using Research.Search.Tests;

namespace Research.Cli.Tests;

/// <summary>
/// The repository's `./research` script, in a copy of its layout with a stand-in program and a stand-in dotnet:
/// it rebuilds when a source is newer than the program, and not for what builds generate (obj/, bin/).
/// </summary>
public class ResearchScriptTests
{
    private static (string Out, string Err) RunScript(string root)
    {
        var psi = new ProcessStartInfo(Path.Combine(root, "research")) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("--version");
        psi.Environment["PATH"] = $"{Path.Combine(root, "fake-bin")}:{psi.Environment["PATH"]}";
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, error.Result);
        return (output.Result, error.Result);
    }

    [Fact]
    public void GeneratedFilesUnderObjDoNotTriggerARebuildButASourceDoes()
    {
        var root = Directory.CreateTempSubdirectory("research-script").FullName;
        File.Copy(Path.Combine(TestPaths.Repo, "research"), Path.Combine(root, "research"));
        File.SetUnixFileMode(Path.Combine(root, "research"), (UnixFileMode)0b111_101_101);
        void Executable(string path, string body)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
            File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        }
        var program = Path.Combine(root, "src", "Research.Cli", "bin", "Release", "net10.0", "research");
        var source = Path.Combine(root, "src", "Research.Cli", "Program.cs");
        Directory.CreateDirectory(Path.GetDirectoryName(source)!);
        File.WriteAllText(source, "// source");
        Executable(program, "echo program ran");
        Executable(Path.Combine(root, "fake-bin", "dotnet"), "echo dotnet build >&2");
        var past = DateTime.UtcNow.AddHours(-1);
        File.SetLastWriteTimeUtc(source, past.AddMinutes(-1));
        File.SetLastWriteTimeUtc(program, past);

        // What `dotnet test` regenerates in obj/ (and a build's bin/) is newer than the program: no rebuild.
        var generated = Path.Combine(root, "src", "Research.Cli", "obj", "Release", "net10.0", "Research.Cli.AssemblyInfo.cs");
        Directory.CreateDirectory(Path.GetDirectoryName(generated)!);
        File.WriteAllText(generated, "// generated");
        var (output, error) = RunScript(root);
        Assert.Equal("program ran\n", output);
        Assert.DoesNotContain("building", error);

        // A source newer than the program: rebuilt first.
        File.SetLastWriteTimeUtc(source, DateTime.UtcNow);
        (output, error) = RunScript(root);
        Assert.Contains("research: building (Release)", error);
        Assert.Contains("dotnet build", error);
        Assert.Equal("program ran\n", output);
    }
}
