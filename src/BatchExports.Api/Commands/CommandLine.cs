using BatchExports.Api.Commands.GenerateEvents;
using BatchExports.Api.Hosting;
using BatchExports.Core;
using BatchExports.Core.Hosting;
using BatchExports.Core.Persistence;
using BatchExports.Core.Security;
using BatchExports.Core.Errors;
using BatchExports.Core.Services.Accounts;
using BatchExports.Pipeline;
using BatchExports.Temporal;
using Microsoft.EntityFrameworkCore;
using Serilog;

namespace BatchExports.Api.Commands;

/// <summary>
/// <c>serve</c> (default) runs the API. The other verbs are operator commands: each prints only its result on
/// stdout, so scripts can capture it; diagnostics go to stderr.
/// </summary>
public static class CommandLine
{
    private const string Usage = """
        usage: BatchExports.Api [command] [options]

          serve [--migrate] [--bootstrap] [--urls URL]   run the API (default command)
          migrate                                        apply database migrations
          create-organization --name NAME                prints the organization id
          create-team --organization ORG_ID --name NAME  prints the team id
          create-api-key --email EMAIL --organization ORG_ID [--scopes S1,S2] [--teams 1,2]
                         [--organizations ORG_ID,...] [--label LABEL]
                                                         prints the new personal API key (once)
          generate-events --team TEAM_ID --count N [--days D] [--persons P] [--sessions S]
                          [--seed X] [--end ISO-8601]    inserts synthetic events over the last D days (1),
                                                         with their persons and sessions; the same seed and
                                                         end give the same rows
          sync-schedules                                 re-applies every export's Temporal schedule from the
                                                         database (Temporal section of the configuration);
                                                         prints how many were applied and removed
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var command = args.Length == 0 || args[0].StartsWith('-') ? "serve" : args[0];
        var rest = args.Length == 0 || args[0].StartsWith('-') ? args : args[1..];
        try
        {
            return command switch
            {
                "serve" => await ServeAsync(rest),
                "migrate" => await RunOperatorAsync(rest, (_, _, _) => Task.FromResult("Migrations applied.")),
                "create-organization" => await RunOperatorAsync(rest, async (services, options, ct) =>
                    (await services.GetRequiredService<AccountsService>().CreateOrganizationAsync(options.Required("--name"), ct)).ToString()),
                "create-team" => await RunOperatorAsync(rest, async (services, options, ct) =>
                    (await services.GetRequiredService<AccountsService>().CreateTeamAsync(options.RequiredGuid("--organization"), options.Required("--name"), ct)).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                "create-api-key" => await RunOperatorAsync(rest, (services, options, ct) =>
                    services.GetRequiredService<AccountsService>().CreateApiKeyAsync(
                        options.Required("--email"),
                        options.RequiredGuid("--organization"),
                        options.List("--scopes") ?? [PersonalApiKeys.ScopeAll],
                        options.List("--teams")?.Select(t => int.TryParse(t, out var id) ? id : throw new ArgumentException($"--teams: '{t}' is not a team id.")).ToList(),
                        options.List("--organizations"),
                        options.Optional("--label"),
                        ct)),
                "generate-events" => await RunOperatorAsync(rest, GenerateEventsCommand.RunAsync),
                "sync-schedules" => await RunOperatorAsync(rest, SyncSchedulesAsync, services =>
                {
                    // The destination registry (workflow names) and the Temporal client, whatever engine the API runs.
                    services.AddExportPipeline();
                    services.AddTemporalEngine();
                }),
                "help" or "--help" or "-h" => PrintUsage(0),
                _ => PrintUsage(2, $"Unknown command '{command}'."),
            };
        }
        catch (ArgumentException exception)
        {
            await Console.Error.WriteLineAsync($"error: {exception.Message}");
            return 2;
        }
    }

    private static async Task<int> ServeAsync(string[] args)
    {
        var migrate = args.Contains("--migrate");
        var bootstrap = args.Contains("--bootstrap");
        var hostArgs = args.Where(a => a is not "--migrate" and not "--bootstrap").ToArray();

        var app = ApiHost.Build(hostArgs);
        var location = app.Services.GetRequiredService<DatabaseLocation>();
        var cluster = await location.EnsureAvailableAsync(CancellationToken.None);
        try
        {
            if (migrate)
            {
                await MigrateAsync(app.Services, CancellationToken.None);
            }

            if (bootstrap)
            {
                await BootstrapAsync(app.Services);
            }

            await app.RunAsync();
        }
        finally
        {
            await app.DisposeAsync();
            if (cluster != null)
            {
                await cluster.StopAsync();
            }

            await Log.CloseAndFlushAsync();
        }

        return 0;
    }

    private static async Task BootstrapAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var key = Environment.GetEnvironmentVariable("BATCH_EXPORTS_BOOTSTRAP_API_KEY");
        var result = await scope.ServiceProvider.GetRequiredService<AccountsService>()
            .BootstrapAsync(string.IsNullOrWhiteSpace(key) ? null : key.Trim(), CancellationToken.None);
        if (result.NewPlainKey != null)
        {
            Console.WriteLine();
            Console.WriteLine("  A personal API key with scope '*' was created. It is shown this once; store it now:");
            Console.WriteLine();
            Console.WriteLine($"    {result.NewPlainKey}");
            Console.WriteLine();
            Console.WriteLine($"  Project (team) id: {result.TeamId}   Organization id: {result.OrganizationId}");
            Console.WriteLine();
        }
        else
        {
            Console.WriteLine($"  Using the existing personal API key {result.KeyMask} (project {result.TeamId}, organization {result.OrganizationId}).");
        }
    }

    private static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<BatchExportsDbContext>().Database.MigrateAsync(cancellationToken);
    }

    private static async Task<string> SyncSchedulesAsync(IServiceProvider services, CommandOptions options, CancellationToken cancellationToken)
    {
        try
        {
            var result = await services.GetRequiredService<ScheduleSynchronizer>().SyncAsync(cancellationToken);
            return $"{result.Applied} schedule(s) applied, {result.Removed} removed.";
        }
        catch (EngineUnavailableException exception)
        {
            // One clear line, and a non-zero exit through the caller.
            throw new ArgumentException(exception.Detail);
        }
    }

    private static async Task<int> RunOperatorAsync(
        string[] args, Func<IServiceProvider, CommandOptions, CancellationToken, Task<string>> action, Action<IServiceCollection>? addServices = null)
    {
        var options = CommandOptions.Parse(args);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        // A rule of the console provider itself, so no "Logging" section of the configuration (a host's appsettings
        // asking for Information) can put EF's or the host's lines before the command's own output.
        builder.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(null, LogLevel.Warning);
        builder.Services.AddBatchExportsCore(builder.Configuration);
        builder.Services.AddSingleton<DatabaseLocation>();
        builder.Services.AddSingleton<IDatabaseConnection>(provider => provider.GetRequiredService<DatabaseLocation>());
        addServices?.Invoke(builder.Services);
        using var host = builder.Build();

        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };

        var cluster = await host.Services.GetRequiredService<DatabaseLocation>().EnsureAvailableAsync(cancellation.Token);
        try
        {
            await MigrateAsync(host.Services, cancellation.Token);
            await using var scope = host.Services.CreateAsyncScope();
            Console.WriteLine(await action(scope.ServiceProvider, options, cancellation.Token));
            return 0;
        }
        finally
        {
            if (cluster != null)
            {
                await cluster.StopAsync();
            }
        }
    }

    private static int PrintUsage(int exitCode, string? error = null)
    {
        if (error != null)
        {
            Console.Error.WriteLine($"error: {error}");
        }

        (exitCode == 0 ? Console.Out : Console.Error).WriteLine(Usage);
        return exitCode;
    }
}

/// <summary><c>--name value</c> pairs.</summary>
public sealed class CommandOptions
{
    private readonly Dictionary<string, string> _values;

    private CommandOptions(Dictionary<string, string> values) => _values = values;

    public static CommandOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            }

            var name = args[i];
            var equals = name.IndexOf('=');
            if (equals > 0)
            {
                values[name[..equals]] = name[(equals + 1)..];
            }
            else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                values[name] = args[++i];
            }
            else
            {
                throw new ArgumentException($"{name} needs a value.");
            }
        }

        return new CommandOptions(values);
    }

    public string Required(string name) =>
        _values.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : throw new ArgumentException($"{name} is required.");

    public string? Optional(string name) => _values.GetValueOrDefault(name);

    public Guid RequiredGuid(string name) =>
        Guid.TryParse(Required(name), out var id) ? id : throw new ArgumentException($"{name} must be a UUID.");

    public int RequiredInt(string name) =>
        int.TryParse(Required(name), out var value) ? value : throw new ArgumentException($"{name} must be an integer.");

    public int? OptionalInt(string name) =>
        Optional(name) is { } raw ? (int.TryParse(raw, out var value) ? value : throw new ArgumentException($"{name} must be an integer.")) : null;

    public IReadOnlyList<string>? List(string name) =>
        Optional(name)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
