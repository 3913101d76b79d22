using System.Text;

namespace Research.Experiments.Runs;

/// <summary>Writes each line to log.txt (flushed as it goes) and to an optional second writer (the terminal).</summary>
public sealed class TeeWriter(string logPath, TextWriter? echo) : TextWriter
{
    private readonly StreamWriter _file = new(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false)) { AutoFlush = true };
    private readonly object _gate = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_gate)
        {
            _file.Write(value);
            echo?.Write(value);
        }
    }

    public override void Write(string? value)
    {
        lock (_gate)
        {
            _file.Write(value);
            echo?.Write(value);
        }
    }

    public override void WriteLine(string? value)
    {
        lock (_gate)
        {
            _file.WriteLine(value);
            echo?.WriteLine(value);
        }
    }

    public override void Flush()
    {
        lock (_gate)
        {
            _file.Flush();
            echo?.Flush();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _file.Dispose();
        base.Dispose(disposing);
    }
}
