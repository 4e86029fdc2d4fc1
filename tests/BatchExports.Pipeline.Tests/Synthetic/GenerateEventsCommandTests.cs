using BatchExports.Api.Commands;
using BatchExports.Api.Commands.GenerateEvents;
using BatchExports.Core.Hosting;
using BatchExports.Pipeline.Tests.Sources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace BatchExports.Pipeline.Tests.Synthetic;

/// <summary>The operator command is a thin wrapper: options in, one summary line out.</summary>
public sealed class GenerateEventsCommandTests
{
    private static readonly DateTimeOffset Now = new(2024, 6, 2, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Inserts_over_the_last_days_before_now_and_returns_one_summary_line()
    {
        var (connectionString, team) = await GeneratedData.CreateTeamAsync("command");

        var output = await RunAsync(connectionString, "--team", $"{team}", "--count", "500", "--days", "2", "--persons", "20", "--sessions", "50", "--seed", "7");

        Assert.Matches($@"^inserted 500 events, 20 persons, 50 sessions for team {team} in \d+\.\d s \(\d+ events/s, seed 7\)$", output);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*), min(timestamp) >= @from, max(inserted_at) < @now FROM events", connection);
        command.Parameters.AddWithValue("from", Now.AddDays(-2));
        command.Parameters.AddWithValue("now", Now);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((500L, true, true), (reader.GetInt64(0), reader.GetBoolean(1), reader.GetBoolean(2)));
    }

    [Theory]
    [InlineData("--count 0", "--count must be a positive integer.")]
    [InlineData("--count many", "--count must be a positive integer.")]
    [InlineData("--count 10 --days 0", "--days must be a positive number of days (at most 3650).")]
    [InlineData("--count 10 --persons 0", "--persons must be a positive integer.")]
    [InlineData("--count 10 --sessions -1", "--sessions must be a positive integer.")]
    [InlineData("--count 10 --seed x", "--seed must be an integer.")]
    [InlineData("--count 10 --end yesterday", "--end must be an ISO-8601 date and time.")]
    [InlineData("--count 10 --team 424242", "Team 424242 does not exist.")]
    public async Task Bad_options_are_clear_errors(string arguments, string message)
    {
        var (connectionString, team) = await GeneratedData.CreateTeamAsync("badoptions");
        var args = arguments.Contains("--team", StringComparison.Ordinal) ? arguments : $"--team {team} {arguments}";

        var exception = await Assert.ThrowsAnyAsync<ArgumentException>(() => RunAsync(connectionString, args.Split(' ')));

        Assert.Equal(message, exception.Message);
    }

    private static async Task<string> RunAsync(string connectionString, params string[] args)
    {
        await using var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(new FakeTimeProvider(Now))
            .AddSingleton<IDatabaseConnection>(new SourceData(connectionString))
            .BuildServiceProvider();
        return await GenerateEventsCommand.RunAsync(services, CommandOptions.Parse(args), CancellationToken.None);
    }
}
