using BenchmarkDotNet.Attributes;
using Resolver.Protocol.Names;

namespace Resolver.Benchmarks.Protocol;

/// <summary>Case-insensitive name equality and hashing, as a cache lookup does them.</summary>
[MemoryDiagnoser]
public class NameBenchmarks
{
    private readonly DnsName _name = DnsName.Parse("www.example.com");
    private readonly DnsName _sameOtherCase = DnsName.Parse("WWW.Example.COM");
    private readonly DnsName _sameCase = DnsName.Parse("www.example.com");
    private readonly DnsName _deep = DnsName.Parse("a.very.deep.subdomain.of.some-long-zone-name.example.com");
    private readonly DnsName _zone = DnsName.Parse("example.com");

    [Benchmark(Baseline = true, Description = "Equals, same case")]
    public bool EqualsSameCase() => _name.Equals(_sameCase);

    [Benchmark(Description = "Equals, different case")]
    public bool EqualsOtherCase() => _name.Equals(_sameOtherCase);

    [Benchmark(Description = "GetHashCode (15-byte name)")]
    public int Hash() => _name.GetHashCode();

    [Benchmark(Description = "GetHashCode (56-byte name)")]
    public int HashDeep() => _deep.GetHashCode();

    [Benchmark(Description = "IsSubdomainOf")]
    public bool Subdomain() => _deep.IsSubdomainOf(_zone);
}
