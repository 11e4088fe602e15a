using Resolver.Admin;

namespace Resolver.Tests.Admin;

/// <summary>Each bad Admin setting fails start-up with a message naming the key and the fix.</summary>
public sealed class AdminOptionsValidatorTests
{
    private static IReadOnlyList<string> Failures(AdminOptions options)
    {
        var result = new AdminOptionsValidator().Validate(null, options);
        return result.Failed ? [.. result.Failures!] : [];
    }

    [Fact]
    public void Defaults_AreValid_AndAsDocumented()
    {
        var options = new AdminOptions();

        Assert.Empty(Failures(options));
        Assert.Equal(10, options.FailedAuthLimit);
        Assert.Equal(TimeSpan.FromMinutes(1), options.FailedAuthWindow);
    }

    [Theory]
    [InlineData(0, "00:01:00", "Admin:FailedAuthLimit must be between 1 and")]
    [InlineData(10, "00:00:00", "Admin:FailedAuthWindow must be between 00:00:01 and 1.00:00:00")]
    [InlineData(10, "2.00:00:00", "Admin:FailedAuthWindow must be between 00:00:01 and 1.00:00:00")]
    public void ABadFailedAuthLimit_NamesTheKey(int limit, string window, string expected)
    {
        var options = new AdminOptions { FailedAuthLimit = limit, FailedAuthWindow = TimeSpan.Parse(window, System.Globalization.CultureInfo.InvariantCulture) };

        Assert.StartsWith(expected, Assert.Single(Failures(options)), StringComparison.Ordinal);
    }
}
