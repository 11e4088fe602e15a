namespace Resolver.Cli;

/// <summary>A plain-text table: columns padded to their widest cell, two spaces apart, the last one unpadded.</summary>
internal sealed class TextTable
{
    private readonly string[] _headers;
    private readonly HashSet<int> _rightAligned;
    private readonly List<string[]> _rows = [];

    /// <param name="headers">Column titles.</param>
    /// <param name="rightAligned">Indexes of numeric columns, aligned to the right.</param>
    public TextTable(string[] headers, params int[] rightAligned)
    {
        _headers = headers;
        _rightAligned = [.. rightAligned];
    }

    public void Add(params string[] cells)
    {
        if (cells.Length != _headers.Length)
        {
            throw new ArgumentException($"Expected {_headers.Length} cells, got {cells.Length}.", nameof(cells));
        }

        _rows.Add(cells);
    }

    /// <summary>Writes the header and the rows; <paramref name="afterRow"/> may add lines under row i (e.g. its records).</summary>
    public void Write(TextWriter output, Action<int>? afterRow = null)
    {
        var widths = new int[_headers.Length];
        foreach (var row in _rows.Prepend(_headers))
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        WriteRow(output, _headers, widths);
        for (var r = 0; r < _rows.Count; r++)
        {
            WriteRow(output, _rows[r], widths);
            afterRow?.Invoke(r);
        }
    }

    private void WriteRow(TextWriter output, string[] cells, int[] widths)
    {
        var line = new System.Text.StringBuilder();
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                line.Append("  ");
            }

            var last = i == cells.Length - 1;
            line.Append(_rightAligned.Contains(i) ? cells[i].PadLeft(widths[i]) : last ? cells[i] : cells[i].PadRight(widths[i]));
        }

        output.WriteLine(line.ToString().TrimEnd());
    }
}
