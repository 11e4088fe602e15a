using Resolver.Cli;

namespace Resolver.Tests.Cli;

/// <summary>check-config: the start-up checks on a file, without starting anything.</summary>
public sealed class CheckConfigTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("resolver-check-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task GoodFile_PrintsOk_Exits0_AndSaysWhatWasNotChecked()
    {
        var path = Write("""
            {
              "Dns": { "Listen": [ "127.0.0.1:0" ] },
              "Upstreams": { "Servers": [ { "Address": "127.0.0.1:9" } ] },
              "Admin": { "Urls": "http://127.0.0.1:0", "Tokens": [ { "Name": "ops", "TokenFile": "/nonexistent/token", "Role": "Admin" } ] }
            }
            """);

        var (code, output, error) = await RunAsync("check-config", "--config", path);

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        Assert.StartsWith($"OK: {path}", output, StringComparison.Ordinal);
        Assert.Contains("Not checked:", output, StringComparison.Ordinal);
        Assert.Contains("token files", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShippedConfiguration_IsOk()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "appsettings.json");

        var (code, output, _) = await RunAsync("check-config", "--config", path);

        Assert.Equal(0, code);
        Assert.StartsWith("OK: ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadValues_NameEachKey_Exit2()
    {
        var path = Write("""
            {
              "Dns": { "Listen": [ "127.0.0.1:0" ] },
              "Cache": { "MaxEntries": "abc" },
              "Upstreams": { "Servers": [ { "Address": "127.0.0.1:9" } ] },
              "Admin": { "FailedAuthLimit": 0, "Tokens": [ { "Name": "ops", "Token": "short", "Role": "Admin" } ] },
              "Telemetry": { "Otlp": { "Enabled": true, "Protocol": "Carrier-Pigeon" } }
            }
            """);

        var (code, output, error) = await RunAsync("check-config", "--config", path);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains($"{path}: ", error, StringComparison.Ordinal);
        Assert.Contains("'Cache:MaxEntries'", error, StringComparison.Ordinal);
        Assert.Contains("Admin:FailedAuthLimit", error, StringComparison.Ordinal);
        Assert.Contains("Admin:Tokens:0:Token", error, StringComparison.Ordinal);
        Assert.Contains("Telemetry:Otlp:Protocol", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotJson_SaysWhere_Exit2()
    {
        var path = Write("{\n  \"Dns\": {\n    \"Listen\": [,\n}");

        var (code, output, error) = await RunAsync("check-config", "--config", path);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains("not valid JSON at line 3, byte 16", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingFile_Exit2()
    {
        var (code, _, error) = await RunAsync("check-config", "--config", Path.Combine(_directory, "absent.json"));

        Assert.Equal(2, code);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
    }

    private string Write(string json)
    {
        var path = Path.Combine(_directory, "resolver.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CommandLine.RunAsync(args, output, error, (_, _, _, _) => throw new InvalidOperationException("check-config must not serve."), CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}
