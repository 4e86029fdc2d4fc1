using System.Text.Json.Nodes;

namespace BatchExports.Core.Domain.Destinations;

/// <summary>
/// The destination types this server runs, built from the registered <see cref="IDestinationDefinition"/>s in the
/// order they were registered (the order error messages name them), and the PostHog types it refuses with a message
/// rather than accept and never run.
/// </summary>
public sealed class DestinationRegistry
{
    /// <summary>PostHog destination types this server does not run (yet).</summary>
    public static readonly IReadOnlyList<string> UnsupportedPostHogTypes =
        ["AwsS3", "S3Compatible", "Snowflake", "BigQuery", "Databricks", "AzureBlob", "Workflows", "FileDownload"];

    private readonly IReadOnlyDictionary<string, IDestinationDefinition> _definitions;
    private readonly IReadOnlyDictionary<string, IReadOnlySet<string>> _secretKeys;

    public DestinationRegistry(IEnumerable<IDestinationDefinition> definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        Definitions = definitions.ToList();
        var duplicate = Definitions.GroupBy(d => d.Type).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null)
        {
            throw new ArgumentException($"The destination type '{duplicate.Key}' is registered more than once.", nameof(definitions));
        }

        _definitions = Definitions.ToDictionary(d => d.Type);
        _secretKeys = Definitions.ToDictionary(
            d => d.Type,
            d => (IReadOnlySet<string>)d.Fields.Where(f => f.Secret).Select(f => f.Name).Concat(d.NestedSecretKeys).ToHashSet());
        SupportedTypes = Definitions.Select(d => d.Type).ToList();
        SupportedTypesText = string.Join(", ", SupportedTypes.Select(t => $"'{t}'"));
    }

    /// <summary>The definitions in registration order.</summary>
    public IReadOnlyList<IDestinationDefinition> Definitions { get; }

    /// <summary>The types we run, in the order error messages name them.</summary>
    public IReadOnlyList<string> SupportedTypes { get; }

    /// <summary>The supported types as messages print them: <c>'S3', 'Postgres', …</c>.</summary>
    public string SupportedTypesText { get; }

    public IDestinationDefinition? Find(string? type) => type != null && _definitions.TryGetValue(type, out var definition) ? definition : null;

    public IDestinationDefinition Get(string type) =>
        Find(type) ?? throw new ArgumentException($"Unknown destination type '{type}'.", nameof(type));

    /// <summary>Keys removed from every response of the type, at any depth (PostHog's <c>secret_fields</c>); empty for an unknown type.</summary>
    public IReadOnlySet<string> SecretKeys(string type) =>
        _secretKeys.TryGetValue(type, out var keys) ? keys : new HashSet<string>();

    /// <summary>A copy of <paramref name="config"/> without the type's secret keys, at any depth (spec §3.2).</summary>
    public JsonObject WithoutSecrets(string type, JsonObject config) => (JsonObject)StripSecrets(config, SecretKeys(type))!;

    private static JsonNode? StripSecrets(JsonNode? node, IReadOnlySet<string> secrets) => node switch
    {
        JsonObject obj => new JsonObject(obj
            .Where(p => !secrets.Contains(p.Key))
            .Select(p => KeyValuePair.Create(p.Key, StripSecrets(p.Value, secrets)))),
        _ => node?.DeepClone(),
    };
}
