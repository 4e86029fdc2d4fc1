using System.Diagnostics;
using System.Runtime.InteropServices;
using Npgsql;

namespace BatchExports.Core.Hosting;

/// <summary>
/// A private PostgreSQL cluster started from the machine's server binaries, listening only on a unix
/// socket inside its own directory. Used by the server when no connection string is configured, and by
/// the test kit when no other PostgreSQL is offered.
/// </summary>
public sealed class EmbeddedPostgres
{
    private const int Port = 5432;
    private const string ServiceUser = "postgres";

    private readonly string _root;
    private readonly bool _durable;
    private readonly string _binDirectory;
    private readonly bool _runAsServiceUser;
    private bool _startedHere;

    /// <param name="root">Directory holding the cluster (<c>postgres/</c>), its socket (<c>run/</c>) and its log.</param>
    /// <param name="durable">False turns off fsync and friends: for throwaway test clusters only.</param>
    public EmbeddedPostgres(string root, bool durable = true)
    {
        _root = Path.GetFullPath(root);
        _durable = durable;
        _binDirectory = FindBinDirectory()
            ?? throw new InvalidOperationException(
                "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install them (Debian: apt-get install postgresql) " +
                "or set ConnectionStrings__BatchExports to an existing PostgreSQL.");
        _runAsServiceUser = IsRoot();
    }

    public string DataPath => Path.Combine(_root, "postgres");

    public string SocketDirectory => Path.Combine(_root, "run");

    public string LogPath => Path.Combine(_root, "postgres.log");

    public string ConnectionString(string database) => ConnectionStringFor(_root, database);

    /// <summary>The connection string of the cluster under <paramref name="root"/>, whether or not it runs yet.</summary>
    public static string ConnectionStringFor(string root, string database) => new NpgsqlConnectionStringBuilder
    {
        Host = Path.Combine(Path.GetFullPath(root), "run"),
        Port = Port,
        Username = ServiceUser,
        Database = database,
        Pooling = true,
        MaxPoolSize = 50,
    }.ConnectionString;

    /// <summary>Initialises the cluster if needed, starts it unless already running, and creates <paramref name="database"/>.</summary>
    public async Task<string> EnsureStartedAsync(string database, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(SocketDirectory);
        if (_runAsServiceUser)
        {
            await RunAsync("chown", ["-R", $"{ServiceUser}:{ServiceUser}", _root], asServiceUser: false, cancellationToken);
            await EnsureServiceUserCanReachAsync(cancellationToken);
        }

        if (!File.Exists(Path.Combine(DataPath, "PG_VERSION")))
        {
            await RunAsync(
                Path.Combine(_binDirectory, "initdb"),
                ["-D", DataPath, "-U", ServiceUser, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"],
                _runAsServiceUser,
                cancellationToken);
        }

        if (!await IsRunningAsync(cancellationToken))
        {
            var settings = $"-c listen_addresses='' -c unix_socket_directories='{SocketDirectory}' -c port={Port} -c max_connections=200";
            if (!_durable)
            {
                settings += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
            }

            await RunAsync(
                Path.Combine(_binDirectory, "pg_ctl"),
                ["start", "-D", DataPath, "-w", "-t", "60", "-l", LogPath, "-o", settings],
                _runAsServiceUser,
                cancellationToken);
            _startedHere = true;
        }

        await using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await connection.OpenAsync(cancellationToken);
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
            exists.Parameters.AddWithValue("name", database);
            if (await exists.ExecuteScalarAsync(cancellationToken) == null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        return ConnectionString(database);
    }

    /// <summary>Stops the cluster if this process started it.</summary>
    public async Task StopAsync()
    {
        if (!_startedHere)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await RunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["stop", "-D", DataPath, "-m", "fast", "-w"], _runAsServiceUser, CancellationToken.None);
        _startedHere = false;
    }

    private async Task<bool> IsRunningAsync(CancellationToken cancellationToken)
    {
        var (exitCode, _) = await TryRunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["status", "-D", DataPath], _runAsServiceUser, cancellationToken);
        return exitCode == 0;
    }

    private async Task EnsureServiceUserCanReachAsync(CancellationToken cancellationToken)
    {
        var (exitCode, _) = await TryRunAsync("test", ["-w", _root], asServiceUser: true, cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException(
                $"PostgreSQL refuses to run as root, and the '{ServiceUser}' user cannot reach {_root}. " +
                "Point BatchExports__DataDirectory at a directory that user can reach, or set ConnectionStrings__BatchExports.");
        }
    }

    private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments, bool asServiceUser, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await TryRunAsync(fileName, arguments, asServiceUser, cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"'{Path.GetFileName(fileName)} {string.Join(' ', arguments)}' failed ({exitCode}): {output.Trim()}");
        }
    }

    private static async Task<(int ExitCode, string Output)> TryRunAsync(
        string fileName, IReadOnlyList<string> arguments, bool asServiceUser, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo
        {
            FileName = asServiceUser ? "runuser" : fileName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        if (asServiceUser)
        {
            foreach (var argument in new[] { "-u", ServiceUser, "--", fileName })
            {
                startInfo.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string? FindBinDirectory()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("PG_BIN_DIR") is { Length: > 0 } configured)
        {
            candidates.Add(configured);
        }

        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var version) ? version : 0)
                .Select(d => Path.Combine(d, "bin")));
        }

        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUserId();

    private static bool IsRoot() => OperatingSystem.IsLinux() && GetEffectiveUserId() == 0;
}
