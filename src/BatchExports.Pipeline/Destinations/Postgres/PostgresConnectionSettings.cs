using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using BatchExports.Pipeline.Destinations.Tables;
using Npgsql;

namespace BatchExports.Pipeline.Destinations.Postgres;

/// <summary>Where a PostgreSQL-protocol destination (PostgreSQL, Redshift) writes: its config, typed.</summary>
public sealed record PostgresConnectionSettings
{
    /// <summary>PostHog's <c>connect_timeout</c>.</summary>
    public const int ConnectTimeoutSeconds = 30;

    public required string Host { get; init; }

    public required int Port { get; init; }

    public required string User { get; init; }

    public required string Password { get; init; }

    public required string Database { get; init; }

    public string Schema { get; init; } = "public";

    public string TableName { get; init; } = "events";

    public bool HasSelfSignedCert { get; init; }

    /// <summary><c>host:port</c>, for messages: names the server without any credential.</summary>
    public string Endpoint => $"{Host}:{Port}";

    public string QualifiedTable => SqlNames.Qualified(Schema, TableName);

    /// <summary>Reads PostHog's destination config; missing or mistyped values fail the run.</summary>
    public static PostgresConnectionSettings FromConfig(JsonObject config, int defaultPort)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new PostgresConnectionSettings
        {
            Host = DestinationConfig.RequiredString(config, "host"),
            Port = DestinationConfig.Integer(config, "port", defaultPort),
            User = DestinationConfig.RequiredString(config, "user"),
            Password = DestinationConfig.RequiredString(config, "password"),
            Database = DestinationConfig.RequiredString(config, "database"),
            Schema = DestinationConfig.OptionalString(config, "schema") ?? "public",
            TableName = DestinationConfig.OptionalString(config, "table_name") ?? "events",
            HasSelfSignedCert = DestinationConfig.Boolean(config, "has_self_signed_cert", false),
        };
    }

    /// <summary>
    /// A data source for this destination's run. Without <paramref name="loadTypes"/> Npgsql skips reading the server's
    /// type catalog and uses its built-in types, which is what works with Redshift.
    /// </summary>
    public NpgsqlDataSource CreateDataSource(bool loadTypes = true)
    {
        var builder = new NpgsqlDataSourceBuilder(ConnectionString());
        if (!loadTypes)
        {
            builder.ConfigureTypeLoading(types => types.EnableTypeLoading(false));
        }

        return builder.Build();
    }

    private string ConnectionString() => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Username = User,
        Password = Password,
        Database = Database,
        // As libpq's prefer/require, which PostHog uses, Npgsql's Prefer encrypts when the server offers TLS and does
        // not verify the certificate, so a self-signed one (has_self_signed_cert) is accepted as well.
        SslMode = SslMode.Prefer,
        Timeout = ConnectTimeoutSeconds,
        // Loads and merges of a long interval take as long as they take; cancellation and dead-peer detection
        // (keepalives) end them, not a timer.
        CommandTimeout = 0,
        KeepAlive = 30,
        // One connection per run, closed at the end: its temporary stage table goes with it.
        Pooling = false,
        ApplicationName = "BatchExports",
    }.ConnectionString;

    // The generated ToString would print the password (and PostHog treats the user name as secret too).
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"Host = {Host}, Port = {Port}, User = ***, Password = ***, Database = {Database}, ");
        builder.Append(CultureInfo.InvariantCulture, $"Schema = {Schema}, TableName = {TableName}, HasSelfSignedCert = {HasSelfSignedCert}");
        return true;
    }
}
