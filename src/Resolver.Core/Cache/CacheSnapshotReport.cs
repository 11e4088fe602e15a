namespace Resolver.Core.Cache;

/// <summary>Why a snapshot was not read to its end.</summary>
internal enum CacheSnapshotProblem
{
    None,

    /// <summary>No file: the first start, or snapshots were just turned on.</summary>
    Missing,

    /// <summary>The file does not start with the snapshot magic.</summary>
    NotASnapshot,

    /// <summary>A format version this build does not read (see <see cref="CacheSnapshotReport.Version"/>).</summary>
    UnsupportedVersion,

    /// <summary>The file ends before its trailer.</summary>
    Truncated,

    /// <summary>A checksum, a length or the entry count does not match.</summary>
    Corrupt,
}

/// <summary>What loading a snapshot did: entries restored, entries left out and why, and where reading stopped.</summary>
internal sealed class CacheSnapshotReport
{
    public CacheSnapshotProblem Problem { get; private set; }

    /// <summary>The byte offset of the damaged record (or of the end of a truncated file).</summary>
    public long ProblemOffset { get; private set; }

    /// <summary>The format version found in the header (0 when there was no header).</summary>
    public int Version { get; set; }

    /// <summary>When the snapshot was written (UTC).</summary>
    public DateTimeOffset SavedAt { get; set; }

    /// <summary>Entries put back into the cache.</summary>
    public int Restored { get; set; }

    /// <summary>Entries past their stale window (TTL, plus Cache:MaxStale with serve-stale), not restored.</summary>
    public int Expired { get; set; }

    /// <summary>Entries whose checksum held but whose contents did not (bad name, offsets, response), not restored.</summary>
    public int Invalid { get; set; }

    /// <summary>Entries with a field this build does not know (written by a newer one), not restored.</summary>
    public int Unsupported { get; set; }

    /// <summary>Entries left out because the cache was full (Cache:MaxEntries or MaxBytes lowered since the save).</summary>
    public int OverCapacity { get; set; }

    public CacheSnapshotReport Stop(CacheSnapshotProblem problem, long offset)
    {
        Problem = problem;
        ProblemOffset = offset;
        return this;
    }
}
