namespace Resolver.Admin;

/// <summary>
/// The last <see cref="Capacity"/> admin actions (flushes, drains, watch changes, accepted holds) in memory, for
/// GET /api/v1/audit and the console. The same actions are logged as AUDIT lines; this is what an operator sees
/// without the journal. Thread-safe: endpoints record concurrently.
/// </summary>
internal sealed class AuditTrail
{
    /// <summary>How many entries are kept; the oldest goes when one more is recorded.</summary>
    public const int Capacity = 100;

    private readonly TimeProvider _time;
    private readonly AuditEntryView[] _ring = new AuditEntryView[Capacity];
    private readonly Lock _lock = new();
    private int _next;
    private int _count;

    public AuditTrail(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    /// <summary>Records what <paramref name="caller"/> did (<paramref name="action"/>: flush, drain, undrain, watch, unwatch, accept) to <paramref name="target"/>.</summary>
    public void Record(AdminCaller caller, string action, string target, string detail)
    {
        var entry = new AuditEntryView(_time.GetUtcNow(), caller.Name, caller.Address, action, target, detail);
        lock (_lock)
        {
            _ring[_next] = entry;
            _next = (_next + 1) % Capacity;
            _count = Math.Min(_count + 1, Capacity);
        }
    }

    /// <summary>The entries kept, newest first.</summary>
    public IReadOnlyList<AuditEntryView> NewestFirst()
    {
        lock (_lock)
        {
            var entries = new AuditEntryView[_count];
            for (var i = 0; i < _count; i++)
            {
                entries[i] = _ring[(_next - 1 - i + Capacity) % Capacity];
            }

            return entries;
        }
    }
}
