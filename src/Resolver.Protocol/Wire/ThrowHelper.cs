using System.Diagnostics.CodeAnalysis;

namespace Resolver.Protocol.Wire;

/// <summary>Keeps throw sites out of hot methods so they stay small enough to inline.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowFormat(DnsParseError error) => throw new DnsFormatException(error);

    [DoesNotReturn]
    public static T ThrowFormat<T>(DnsParseError error) => throw new DnsFormatException(error);
}
