namespace Resolver.Core.Pipeline;

/// <summary>One static record from configuration, e.g. { "Name": "router.lan", "Type": "A", "Value": "192.168.1.1" }.</summary>
public sealed class LocalRecordOptions
{
    public string Name { get; set; } = string.Empty;

    /// <summary>A, AAAA, CNAME, PTR or TXT.</summary>
    public string Type { get; set; } = "A";

    public string Value { get; set; } = string.Empty;

    public uint Ttl { get; set; } = 300;
}
