namespace Resolver.Protocol.Tests.Fixtures;

/// <summary>Loads the captured packets in Fixtures/Captured (see its README for how they were made).</summary>
internal static class FixtureFiles
{
    private static readonly string s_directory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Captured");

    public static byte[] Query(string name) => Load($"{name}.query.hex");

    public static byte[] Response(string name) => Load($"{name}.response.hex");

    /// <summary>Every captured message, queries and responses, for the fuzzer's seed corpus.</summary>
    public static IEnumerable<byte[]> All() =>
        Directory.EnumerateFiles(s_directory, "*.hex").Order(StringComparer.Ordinal).Select(path => Load(Path.GetFileName(path)));

    public static byte[] FromHex(string hex) =>
        Convert.FromHexString(string.Concat(hex.Where(c => !char.IsWhiteSpace(c))));

    private static byte[] Load(string file) => FromHex(File.ReadAllText(Path.Combine(s_directory, file)));
}
