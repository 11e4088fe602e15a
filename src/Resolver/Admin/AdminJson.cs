using System.Text.Json;
using System.Text.Json.Serialization;

namespace Resolver.Admin;

/// <summary>Source-generated JSON for the admin API (camelCase), shared by the server, the fleet client and the CLI.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, WriteIndented = false)]
[JsonSerializable(typeof(FlushRequest))]
[JsonSerializable(typeof(FlushResponse))]
[JsonSerializable(typeof(CacheNameView))]
[JsonSerializable(typeof(CacheStatsView))]
[JsonSerializable(typeof(UpstreamView))]
[JsonSerializable(typeof(IReadOnlyList<UpstreamView>))]
[JsonSerializable(typeof(DrainRequest))]
[JsonSerializable(typeof(ReadinessView))]
[JsonSerializable(typeof(WatchListView))]
[JsonSerializable(typeof(WatchRuleView))]
[JsonSerializable(typeof(WatchRequest))]
[JsonSerializable(typeof(AcceptResponse))]
[JsonSerializable(typeof(AuditView))]
internal sealed partial class AdminJson : JsonSerializerContext;
