namespace Resolver.Core.Timing;

/// <summary>Deadlines as <see cref="TimeProvider.GetTimestamp"/> values: monotonic, and exact under a test's fake clock.</summary>
internal static class TimestampMath
{
    /// <summary><paramref name="span"/> in the provider's timestamp units.</summary>
    public static long ToTimestampDelta(this TimeProvider time, TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);

    /// <summary>The timestamp <paramref name="span"/> from now.</summary>
    public static long TimestampAfter(this TimeProvider time, TimeSpan span) => time.GetTimestamp() + time.ToTimestampDelta(span);
}
