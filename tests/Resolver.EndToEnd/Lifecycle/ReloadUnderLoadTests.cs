using System.Text.Json.Nodes;
using Resolver.EndToEnd.Peers;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Records;

namespace Resolver.EndToEnd.Lifecycle;

/// <summary>
/// Configuration reloads while clients keep asking: a valid file (new upstream order, a local record, a rate limit),
/// an invalid one, SIGHUP and plain file writes. The valid changes are taken, the invalid file is refused with its
/// key in the log, and no query goes unanswered or gets SERVFAIL meanwhile.
/// </summary>
public sealed class ReloadUnderLoadTests
{
    private const int QueriesPerSecond = 100;
    private static readonly TimeSpan LoadTime = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Reloads_by_file_change_and_by_SIGHUP_during_a_load_fail_no_query()
    {
        await using var first = await Nsd.StartAsync();
        await using var second = await Nsd.StartAsync();
        await using var resolver = await ResolverProcess.StartAsync([first.Port, second.Port]);
        var original = JsonNode.Parse(await File.ReadAllTextAsync(resolver.ConfigPath))!;

        var load = LoadAsync(resolver.DnsPort);

        await Task.Delay(TimeSpan.FromSeconds(1));
        var changed = original.DeepClone();
        var servers = changed["Upstreams"]!["Servers"]!.AsArray();
        var head = servers[0]!.DeepClone();
        servers.RemoveAt(0);
        servers.Add(head); // the second NSD first now
        changed["Dns"]!["LocalRecords"] = new JsonArray(new JsonObject { ["Name"] = "printer.lan", ["Type"] = "A", ["Value"] = "192.168.1.3" });
        changed["Dns"]!["RateLimit"] = new JsonObject { ["ResponsesPerSecond"] = 5000 };
        await File.WriteAllTextAsync(resolver.ConfigPath, changed.ToJsonString()); // noticed as a file change

        await Task.Delay(TimeSpan.FromSeconds(1));
        resolver.HangUp(); // the same file again, by signal

        await Task.Delay(TimeSpan.FromSeconds(1));
        var invalid = changed.DeepClone();
        invalid["Dns"]!["RateLimit"]!["Slip"] = 99;
        invalid["Upstreams"]!["Servers"]!.AsArray().Add(new JsonObject { ["Address"] = "not-an-address" });
        await File.WriteAllTextAsync(resolver.ConfigPath, invalid.ToJsonString());

        await Task.Delay(TimeSpan.FromSeconds(1));
        resolver.HangUp();

        var answers = await load;
        var printer = await DnsWire.AskUdpAsync(resolver.DnsPort, "printer.lan.", DnsRecordType.A, ClientTimeout);
        var log = resolver.Log.ToString();

        var lost = answers.Count(a => a is null);
        var servFails = answers.Count(a => a?.ResponseCode == DnsResponseCode.ServFail);
        Assert.True(lost == 0 && servFails == 0, $"{lost} lost and {servFails} SERVFAIL of {answers.Length}\n{log}");
        Assert.Equal("192.168.1.3", Assert.Single(printer!.Answers).Data.ToString()); // the valid file was taken, the invalid one not
        Assert.True(CountOf(log, "Configuration reloaded") >= 2, log);
        Assert.Contains("Dns:RateLimit:Slip", log, StringComparison.Ordinal);
        Assert.Contains("Upstreams:Servers:2", log, StringComparison.Ordinal);
    }

    /// <summary>Cache hits and misses (new names, NXDOMAIN from NSD) at a steady rate, from a socket each.</summary>
    private static async Task<DnsMessage?[]> LoadAsync(int port)
    {
        var asked = new List<Task<DnsMessage?>>();
        var total = (int)(LoadTime.TotalSeconds * QueriesPerSecond);
        for (var i = 0; i < total; i++)
        {
            var name = i % 2 == 0 ? "www.test.example." : $"reload-{i}.test.example.";
            asked.Add(DnsWire.AskUdpAsync(port, name, DnsRecordType.A, ClientTimeout));
            await Task.Delay(1000 / QueriesPerSecond);
        }

        return await Task.WhenAll(asked);
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
