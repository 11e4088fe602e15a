using Resolver.Admin;

namespace Resolver.Tests.Admin;

public sealed class AdminUrlTests
{
    [Theory]
    [InlineData("http://0.0.0.0:8053", true)]
    [InlineData("http://[::]:8053", true)]
    [InlineData("http://*:8053", true)]
    [InlineData("http://+:8053/", true)]
    [InlineData("http://10.0.0.2:8053", true)]
    [InlineData("http://resolver.internal:8053", true)]
    [InlineData(" HTTP://192.168.1.1:8053 ", true)]
    [InlineData("http://127.0.0.1:8053", false)]
    [InlineData("http://127.1.2.3:1", false)]
    [InlineData("http://[::1]:8053", false)]
    [InlineData("http://localhost:8053", false)]
    [InlineData("https://0.0.0.0:8443", false)]
    [InlineData("https://resolver.internal:8443", false)]
    public void IsClearTextBeyondLoopback(string url, bool expected)
    {
        Assert.Equal(expected, AdminUrl.IsClearTextBeyondLoopback(url));
    }

    [Theory]
    [InlineData("http://[::1]:8053/x", "[::1]")]
    [InlineData("http://*:8053", "*")]
    [InlineData("https://resolver.internal/admin", "resolver.internal")]
    [InlineData("http://10.0.0.2", "10.0.0.2")]
    public void TryFindHost_FindsTheHost(string url, string host)
    {
        Assert.True(AdminUrl.TryFindHost(url, out var start, out var length));
        Assert.Equal(host, url.Substring(start, length));
    }
}
