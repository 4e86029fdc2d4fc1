using System.Globalization;
using BatchExports.Core.Hosting;

namespace BatchExports.Api.Commands.GenerateEvents;

/// <summary>
/// <c>generate-events --team T --count N [--days D] [--persons P] [--sessions S] [--seed X] [--end ISO-8601]</c>:
/// fills the source tables with synthetic data for demos and the benchmark (see <see cref="SyntheticData"/>).
/// </summary>
public static class GenerateEventsCommand
{
    public static async Task<string> RunAsync(IServiceProvider services, CommandOptions options, CancellationToken cancellationToken)
    {
        var count = long.TryParse(options.Required("--count"), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0
            ? parsed
            : throw new ArgumentException("--count must be a positive integer.");
        var days = options.Optional("--days") is { } rawDays
            ? double.TryParse(rawDays, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d > 0 && d <= 3650
                ? d
                : throw new ArgumentException("--days must be a positive number of days (at most 3650).")
            : 1;
        var end = options.Optional("--end") is { } rawEnd
            ? DateTimeOffset.TryParse(rawEnd, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var e)
                ? e.ToUniversalTime()
                : throw new ArgumentException("--end must be an ISO-8601 date and time.")
            : services.GetRequiredService<TimeProvider>().GetUtcNow();
        var summary = await SyntheticData.InsertAsync(
            services.GetRequiredService<IDatabaseConnection>().ConnectionString,
            new SyntheticDataOptions
            {
                TeamId = options.RequiredInt("--team"),
                Events = count,
                Window = TimeSpan.FromDays(days),
                End = end,
                Persons = Positive(options, "--persons"),
                Sessions = Positive(options, "--sessions"),
                Seed = options.Optional("--seed") is { } rawSeed
                    ? long.TryParse(rawSeed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed) ? seed : throw new ArgumentException("--seed must be an integer.")
                    : Random.Shared.NextInt64(1, 1_000_000_000),
            },
            cancellationToken);
        return summary.ToString();
    }

    private static int? Positive(CommandOptions options, string name) => options.OptionalInt(name) switch
    {
        < 1 => throw new ArgumentException($"{name} must be a positive integer."),
        var value => value,
    };
}
