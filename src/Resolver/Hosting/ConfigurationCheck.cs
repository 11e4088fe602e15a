using System.Text.Json;
using Microsoft.Extensions.Options;
using Resolver.Admin;
using Resolver.Core.Hosting;

namespace Resolver.Hosting;

/// <summary>
/// <c>resolver check-config</c>: the file parsed and every options section bound and validated as at start-up, with
/// nothing bound, created or read beyond the file itself.
/// </summary>
internal static class ConfigurationCheck
{
    /// <summary>What the check leaves to start-up, because checking it would bind sockets or read and create token files.</summary>
    public const string NotChecked =
        "whether Dns:Listen and Admin:Urls can be bound; the token files (Admin:Tokens:*:TokenFile and the generated token file: " +
        "existence, owner, mode, length); environment variables and command-line overrides.";

    /// <summary>Every problem of the file at <paramref name="path"/>, each naming its key (or the JSON line and position); empty when it may be used.</summary>
    public static IReadOnlyList<string> Check(string path)
    {
        if (!File.Exists(path))
        {
            return [$"the file does not exist (pass --config PATH)."];
        }

        IConfigurationRoot configuration;
        try
        {
            configuration = new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: false).Build();
        }
        catch (InvalidDataException e)
        {
            // The innermost exception is the JSON reader's; its line and byte position count from 0.
            return e.GetBaseException() is JsonException { LineNumber: { } line, BytePositionInLine: { } position } json
                ? [$"not valid JSON at line {line + 1}, byte {position + 1} of the line: {json.Message}"]
                : [$"not valid JSON: {e.GetBaseException().Message}"];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [$"cannot read the file: {e.Message}"];
        }

        var problems = new List<string>(ResolverCoreServices.Validate(configuration));
        problems.AddRange(Validate(configuration, AdminOptions.SectionName, new AdminOptions(), new AdminOptionsValidator()));
        problems.AddRange(Validate(configuration, OtlpOptions.SectionName, new OtlpOptions(), new MetricsExport.OtlpOptionsValidator()));
        return problems;
    }

    private static IEnumerable<string> Validate<T>(IConfiguration configuration, string section, T options, IValidateOptions<T> validator)
        where T : class
    {
        try
        {
            configuration.GetSection(section).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            return [e.Message]; // a value of the wrong type: the binder's message names the key
        }

        var result = validator.Validate(Options.DefaultName, options);
        return result.Failed ? result.Failures : [];
    }
}
