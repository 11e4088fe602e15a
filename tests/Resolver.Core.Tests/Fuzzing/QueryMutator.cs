namespace Resolver.Core.Tests.Fuzzing;

/// <summary>
/// Mutations of a valid query that reach past the first check: flipped bits, replaced bytes, truncation, and
/// bytes set in the flags and counts and in the OPT record's tail, where the interesting branches are. Shared by
/// the fuzz test and the time-bounded fuzzer in benchmarks/.
/// </summary>
internal static class QueryMutator
{
    public static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = (byte[])seed.Clone();
        for (var round = 1 + random.Next(3); round > 0 && bytes.Length > 0; round--)
        {
            switch (random.Next(5))
            {
                case 0:
                    var bit = random.Next(bytes.Length * 8);
                    bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                    break;
                case 1:
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes = bytes[..random.Next(bytes.Length)];
                    break;
                case 3 when bytes.Length > 2: // flags and counts
                    bytes[2 + random.Next(Math.Min(10, bytes.Length - 2))] = (byte)random.Next(256);
                    break;
                default: // EDNS payload size, version and flags (the last 8 bytes of the OPT record)
                    if (bytes.Length > 8)
                    {
                        bytes[^(1 + random.Next(8))] = (byte)random.Next(256);
                    }

                    break;
            }
        }

        return bytes;
    }
}
