using Resolver.Protocol.Messages;
using Resolver.Protocol.Scanning;
using Resolver.Protocol.Tests.Fixtures;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Tests.Fuzzing;

/// <summary>
/// Deterministic mutation fuzzing over the captured fixtures: bit flips, byte overwrites, truncations,
/// splices and count bumps. Every mutant must parse to a message or an error result; no exception
/// escapes. A hang would show as the test never finishing (every loop in the codec is bounded).
/// </summary>
public class MutationFuzzTests
{
    private const int Mutants = 120_000;

    [Fact]
    public void MutatedFixtures_ParseToMessageOrError()
    {
        var seeds = FixtureFiles.All().ToArray();
        var random = new Random(20261121);
        var outcomes = new int[2];
        var buffer = new byte[65535];
        Span<byte> name = stackalloc byte[255];
        Span<ScannedRecord> records = stackalloc ScannedRecord[128];

        for (var i = 0; i < Mutants; i++)
        {
            var mutant = Mutate(seeds, random);
            var parsed = DnsMessage.TryParse(mutant, out var message, out var error);
            Assert.Equal(parsed, error == DnsParseError.None);
            outcomes[parsed ? 1 : 0]++;
            MessageScanner.ScanQuery(mutant, name, out _);
            var scanError = MessageScanner.ScanResponse(mutant, records, out _);
            if (parsed)
            {
                // What the full parser accepts, the scanner accepts; and it can be written back out.
                Assert.True(scanError is DnsParseError.None or DnsParseError.TooManyRecords, $"scan said {scanError}");
                Assert.True(message!.TryWriteWithinLimit(buffer, buffer.Length, out _));
                _ = message.ToString();
            }
        }

        // The mutations must exercise both outcomes, or the fuzzer is not testing anything.
        Assert.True(outcomes[0] > Mutants / 10, $"only {outcomes[0]} errors");
        Assert.True(outcomes[1] > Mutants / 10, $"only {outcomes[1]} messages");
    }

    private static byte[] Mutate(byte[][] seeds, Random random)
    {
        var bytes = (byte[])seeds[random.Next(seeds.Length)].Clone();
        var rounds = 1 + random.Next(3);
        for (var round = 0; round < rounds && bytes.Length > 0; round++)
        {
            switch (random.Next(6))
            {
                case 0: // flip one bit
                    var bit = random.Next(bytes.Length * 8);
                    bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                    break;
                case 1: // overwrite a byte, often with a pointer or label-type marker
                    bytes[random.Next(bytes.Length)] = random.Next(4) switch
                    {
                        0 => 0xC0,
                        1 => 0x40,
                        2 => (byte)random.Next(64),
                        _ => (byte)random.Next(256),
                    };
                    break;
                case 2: // truncate
                    bytes = bytes[..random.Next(bytes.Length)];
                    break;
                case 3: // splice in a slice of another seed
                    var other = seeds[random.Next(seeds.Length)];
                    var from = random.Next(other.Length);
                    var length = random.Next(Math.Min(32, other.Length - from) + 1);
                    var at = random.Next(bytes.Length);
                    bytes = [.. bytes[..at], .. other.AsSpan(from, length), .. bytes[at..]];
                    break;
                case 4: // bump a section count
                    if (bytes.Length >= 12)
                    {
                        bytes[4 + (2 * random.Next(4)) + 1] += (byte)(1 + random.Next(3));
                    }

                    break;
                default: // write a random backward or forward pointer
                    if (bytes.Length >= 2)
                    {
                        var position = random.Next(bytes.Length - 1);
                        bytes[position] = (byte)(0xC0 | random.Next(2));
                        bytes[position + 1] = (byte)random.Next(256);
                    }

                    break;
            }
        }

        return bytes;
    }
}
