using System.Security.Cryptography;
using System.Text.Json.Nodes;
using BatchExports.Testing;
using Npgsql;

namespace BatchExports.Pipeline.Tests.Destinations;

/// <summary>
/// The test PostgreSQL seen as a destination: a login role with a real password (so a wrong one is refused as a real
/// server refuses it) that owns the databases tests export into. The test kit's throwaway cluster trusts local logins,
/// so this adds a password rule for that one role to its pg_hba.conf; a server given through
/// <see cref="TestPostgres.EnvironmentVariable"/> is left as it is.
/// </summary>
internal sealed class DestinationServer
{
    public const string RoleName = "bx_destination_user";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static DestinationServer? _instance;

    private readonly string _adminConnectionString;

    private DestinationServer(string adminConnectionString, string user, string password, bool passwordChecked)
    {
        _adminConnectionString = adminConnectionString;
        var builder = new NpgsqlConnectionStringBuilder(adminConnectionString);
        Host = builder.Host!;
        Port = builder.Port;
        User = user;
        Password = password;
        PasswordChecked = passwordChecked;
    }

    public string Host { get; }

    public int Port { get; }

    public string User { get; }

    public string Password { get; }

    /// <summary>Whether the server checks <see cref="Password"/> (a wrong one is refused).</summary>
    public bool PasswordChecked { get; }

    public static async Task<DestinationServer> GetAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return _instance ??= await StartAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A new empty database; owned by the destination role unless <paramref name="ownedByUser"/> is false.</summary>
    public async Task<string> CreateDatabaseAsync(bool ownedByUser = true)
    {
        var name = $"bx_dest_{Guid.NewGuid():N}";
        var owner = ownedByUser ? $" OWNER {User}" : "";
        await RunAsync(_adminConnectionString, $"CREATE DATABASE {name}{owner}");
        return name;
    }

    public JsonObject Config(string database, string table = "events", string schema = "public", string? password = null) => new()
    {
        ["host"] = Host,
        ["port"] = Port,
        ["user"] = User,
        ["password"] = password ?? Password,
        ["database"] = database,
        ["schema"] = schema,
        ["table_name"] = table,
        ["has_self_signed_cert"] = false,
    };

    /// <summary>Runs <paramref name="sql"/> in <paramref name="database"/> as the admin and returns every row.</summary>
    public async Task<List<object?[]>> QueryAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(WithDatabase(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public async Task ExecuteAsync(string database, string sql, bool asUser = false) =>
        await RunAsync(asUser ? WithDatabase(database, User, Password) : WithDatabase(database), sql);

    private string WithDatabase(string database, string? user = null, string? password = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = database, Pooling = false };
        if (user is not null)
        {
            builder.Username = user;
            builder.Password = password;
        }

        return builder.ConnectionString;
    }

    private static async Task<DestinationServer> StartAsync()
    {
        var postgres = await TestPostgres.GetAsync();
        var admin = new NpgsqlConnectionStringBuilder(await postgres.CreateEmptyDatabaseAsync()) { Pooling = false }.ConnectionString;
        var password = "pw-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();
        await RunAsync(admin, $"""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{RoleName}') THEN CREATE ROLE {RoleName} LOGIN; END IF;
            END $$;
            ALTER ROLE {RoleName} LOGIN PASSWORD '{password}';
            """);

        if (postgres.Source.StartsWith("throwaway", StringComparison.Ordinal))
        {
            await RequirePasswordAsync(admin);
        }

        var server = new DestinationServer(admin, RoleName, password, passwordChecked: false);
        return new DestinationServer(admin, RoleName, password, await RefusesWrongPasswordAsync(server));
    }

    /// <summary>Puts a scram-sha-256 rule for the destination role first in pg_hba.conf and reloads the server.</summary>
    private static async Task RequirePasswordAsync(string admin)
    {
        var rules = new[]
        {
            $"local all {RoleName} scram-sha-256",
            $"host all {RoleName} all scram-sha-256",
        };
        await RunAsync(admin, $"""
            DO $$
            DECLARE
                file text := current_setting('hba_file');
                content text := pg_read_file(current_setting('hba_file'));
            BEGIN
                IF position('{rules[0]}' IN content) = 0 THEN
                    -- COPY's text format escapes tabs; pg_hba.conf takes spaces just as well.
                    EXECUTE format('COPY (SELECT line FROM unnest(%L::text[]) WITH ORDINALITY AS l(line, n) ORDER BY n) TO %L',
                        ARRAY['{rules[0]}', '{rules[1]}'] || string_to_array(replace(content, E'\t', ' '), E'\n'), file);
                    PERFORM pg_reload_conf();
                END IF;
            END $$;
            """);
        // pg_reload_conf only signals the postmaster; give it a moment to re-read the file.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
    }

    private static async Task<bool> RefusesWrongPasswordAsync(DestinationServer server)
    {
        try
        {
            await RunAsync(server.WithDatabase("postgres", server.User, server.Password + "-wrong"), "SELECT 1");
            return false;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidPassword)
        {
            return true;
        }
    }

    private static async Task RunAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
