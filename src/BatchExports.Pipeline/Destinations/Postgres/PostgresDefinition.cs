using System.Text.Json.Nodes;
using BatchExports.Core.Domain.Destinations;

namespace BatchExports.Pipeline.Destinations.Postgres;

/// <summary>PostHog's PostgreSQL destination: rows into a table of a PostgreSQL database.</summary>
public sealed class PostgresDefinition : IDestinationDefinition
{
    public const string TypeName = "Postgres";

    public string Type => TypeName;

    public string WorkflowName => "postgres-export";

    public IReadOnlyList<ConfigField> Fields { get; } =
    [
        .. ConnectionFields(defaultPort: 5432),
        new("has_self_signed_cert", ConfigValueKind.Boolean, Default: false),
    ];

    /// <summary>
    /// The connection and table fields, in PostHog's dataclass order; Redshift's inputs start with the same ones (its
    /// wire protocol is PostgreSQL's), with its own default port.
    /// </summary>
    internal static IReadOnlyList<ConfigField> ConnectionFields(int defaultPort) =>
    [
        new("user", ConfigValueKind.String, Required: true, Secret: true),
        new("password", ConfigValueKind.String, Required: true, Secret: true),
        new("host", ConfigValueKind.String, Required: true),
        new("database", ConfigValueKind.String, Required: true),
        new("schema", ConfigValueKind.String, Default: "public"),
        new("table_name", ConfigValueKind.String, Default: "events"),
        new("port", ConfigValueKind.Integer, Default: defaultPort),
    ];

    public string Description =>
        "Rows in a PostgreSQL table, created if missing; a repeated interval adds nothing twice.";

    public JsonObject ExampleConfig => new()
    {
        ["user"] = "posthog",
        ["password"] = "...",
        ["host"] = "db.example.com",
        ["database"] = "analytics",
        ["schema"] = "public",
        ["table_name"] = "events",
        ["port"] = 5432,
    };

    public DestinationConfigCheck CheckConfig(JsonObject merged)
    {
        ArgumentNullException.ThrowIfNull(merged);
        return merged["port"] is JsonValue port && port.TryGetValue<long>(out var number) && number is < 1 or > 65535
            ? DestinationConfigCheck.Invalid(merged, $"Invalid port {number}: it must be between 1 and 65535.")
            : DestinationConfigCheck.Valid(merged);
    }
}
