using System.Diagnostics;
using System.Text;

namespace Resolver.EndToEnd.Peers;

/// <summary>Collects a long-running process's stdout and stderr as they arrive (so its pipes never fill).</summary>
internal sealed class ProcessLog
{
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private readonly Lock _lock = new();

    public ProcessLog(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        process.OutputDataReceived += (_, e) => Append(_output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(_error, e.Data);
    }

    public string StandardOutput
    {
        get
        {
            lock (_lock)
            {
                return _output.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_lock)
            {
                return _error.ToString();
            }
        }
    }

    public override string ToString() => $"stderr:\n{StandardError}\nstdout:\n{StandardOutput}";

    private void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            builder.AppendLine(line);
        }
    }
}
