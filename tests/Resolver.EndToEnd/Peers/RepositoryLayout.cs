namespace Resolver.EndToEnd.Peers;

/// <summary>Where the resolver under test was built: the same configuration as this test assembly.</summary>
internal static class RepositoryLayout
{
    private const string SolutionFile = "Resolver.sln";

    /// <summary>The dotnet host to run Resolver.dll with: DOTNET_HOST_PATH, set by the dotnet CLI that runs the tests, so the same runtime runs the resolver.</summary>
    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    public static string ResolverDll
    {
        get
        {
            var path = Path.Combine(Root, "src", "Resolver", "bin", Configuration, "net10.0", "Resolver.dll");
            if (!File.Exists(path))
            {
                Assert.Fail($"The resolver is not built at {path}; build src/Resolver in {Configuration} first.");
            }

            return path;
        }
    }

    /// <summary>The nearest directory above the test assembly that holds Resolver.sln.</summary>
    public static string Root
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, SolutionFile)))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException($"No {SolutionFile} above {AppContext.BaseDirectory}.");
        }
    }

    /// <summary>"Debug" or "Release", read from the test assembly's own path (…/bin/Debug/net10.0/).</summary>
    private static string Configuration
    {
        get
        {
            var separator = Path.DirectorySeparatorChar;
            var path = AppContext.BaseDirectory;
            return path.Contains($"{separator}bin{separator}Release{separator}", StringComparison.Ordinal) ? "Release" : "Debug";
        }
    }
}
