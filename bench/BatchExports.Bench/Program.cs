using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Core.Hosting;
using BatchExports.Core.Persistence;
using BatchExports.Pipeline.Destinations.S3;
using BatchExports.Pipeline.Sources;
using BatchExports.Api.Commands.GenerateEvents;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

// Export throughput: N synthetic events exported as one interval to a local S3-compatible server, as JSONLines+gzip
// and as Parquet+zstd, against `psql \copy (same SELECT) | gzip -1` on the same rows in the same run.
var events = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
Console.WriteLine($"BatchExports export benchmark: {events:N0} events, {Environment.ProcessorCount} CPU(s), .NET {Environment.Version}");

var postgres = await TestPostgres.GetAsync();
var connectionString = await postgres.CreateDatabaseAsync("bench");
var s3 = await S3TestServer.GetAsync();
Console.WriteLine($"PostgreSQL: {postgres.Source}; S3: s3rver at {s3.Endpoint}");

var end = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
int teamId;
await using (var db = new BatchExportsDbContext(new DbContextOptionsBuilder<BatchExportsDbContext>().UseNpgsql(connectionString).Options))
{
    var organization = new Organization { Id = Guid.NewGuid(), Name = "bench", CreatedAt = end };
    var team = new Team { Uuid = Guid.NewGuid(), OrganizationId = organization.Id, Name = "bench", CreatedAt = end };
    db.Organizations.Add(organization);
    db.Teams.Add(team);
    await db.SaveChangesAsync();
    teamId = team.Id;
}

var generated = await SyntheticData.InsertAsync(
    connectionString, new SyntheticDataOptions { TeamId = teamId, Events = events, End = end, Window = TimeSpan.FromDays(1), Seed = 42 }, CancellationToken.None);
Console.WriteLine($"generate-events: {generated}");
await ExecuteAsync(connectionString, "VACUUM ANALYZE events");

// One scheduled-run interval holding every event (ingestion may lag the window's end by up to a few hours).
var interval = new DataInterval(end.AddDays(-1).AddHours(-1), end.AddHours(6));
var export = new BatchExport
{
    Id = Guid.NewGuid(), TeamId = teamId, Name = "bench", Model = ExportModels.Events, Interval = Intervals.Day,
    Destination = new BatchExportDestination { Id = Guid.NewGuid(), Type = "S3" },
};
var query = SourceQueries.Records(new SourceRequest(ExportSelection.Of(export, new JsonObject()), interval, IsBackfill: false, S3Destination.EventFields));
var rowsInInterval = await CountAsync(connectionString, query);
Console.WriteLine($"interval {interval.Start:u} – {interval.End:u}: {rowsInInterval:N0} rows");

var baseline = await BaselineAsync(connectionString, query);
Console.WriteLine();
Console.WriteLine($"baseline  psql \\copy | gzip -1   {baseline.Elapsed.TotalSeconds,7:0.00} s  {rowsInInterval / baseline.Elapsed.TotalSeconds,10:N0} rows/s  {baseline.Bytes / 1048576.0 / baseline.Elapsed.TotalSeconds,7:0.0} MB/s (gzip output {baseline.Bytes / 1048576.0:0.0} MB)");

var source = new PostgresSource(new FixedConnection(connectionString));
foreach (var (format, compression) in new[] { ("JSONLines", "gzip"), ("Parquet", "zstd") })
{
    var bucket = await s3.CreateBucketAsync();
    var config = new JsonObject
    {
        ["bucket_name"] = bucket, ["region"] = s3.Region, ["prefix"] = "bench/", ["endpoint_url"] = s3.Endpoint,
        ["aws_access_key_id"] = s3.AccessKeyId, ["aws_secret_access_key"] = s3.SecretAccessKey,
        ["file_format"] = format, ["compression"] = compression,
    };
    var context = PipelineRuns.Context("S3", config, interval.Start, interval.End, teamId);
    var destination = new S3Destination();

    GC.Collect();
    var before = Process.GetCurrentProcess().WorkingSet64;
    using var sampler = new PeakMemorySampler();
    var stopwatch = Stopwatch.StartNew();
    var outcome = await destination.ExportAsync(source, context, CancellationToken.None);
    stopwatch.Stop();
    var peak = sampler.Stop();

    var seconds = stopwatch.Elapsed.TotalSeconds;
    Console.WriteLine(
        $"{format + "+" + compression,-24}  {seconds,7:0.00} s  {outcome.RecordsCompleted / seconds,10:N0} rows/s  {outcome.BytesExported / 1048576.0 / seconds,7:0.0} MB/s " +
        $"(output {outcome.BytesExported / 1048576.0:0.0} MB)  peak RSS {peak / 1048576.0:0} MB (+{(peak - before) / 1048576.0:0} MB over idle)  " +
        $"{seconds / baseline.Elapsed.TotalSeconds:0.00}× baseline time");
    if (outcome.RecordsCompleted != rowsInInterval)
    {
        throw new InvalidOperationException($"exported {outcome.RecordsCompleted} rows, expected {rowsInInterval}");
    }
}

await postgres.DropDatabaseAsync(connectionString);
return 0;

static async Task ExecuteAsync(string connectionString, string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
    await command.ExecuteNonQueryAsync();
}

static async Task<long> CountAsync(string connectionString, SourceQuery query)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand($"SELECT count(*) FROM ({query.Sql}) q", connection) { CommandTimeout = 0 };
    command.Parameters.AddRange(query.Parameters.Select(p => p.Clone()).ToArray());
    return (long)(await command.ExecuteScalarAsync())!;
}

/// <summary>The same SELECT through psql's \copy, compressed with gzip -1: what a hand-rolled export costs.</summary>
static async Task<(TimeSpan Elapsed, long Bytes)> BaselineAsync(string connectionString, SourceQuery query)
{
    var builder = new NpgsqlConnectionStringBuilder(connectionString);
    var sql = query.Parameters.Aggregate(query.Sql, (text, parameter) => text.Replace(
        "@" + parameter.ParameterName,
        parameter.Value switch
        {
            DateTimeOffset instant => $"'{instant.UtcDateTime:yyyy-MM-dd HH:mm:ss.ffffff}+00'::timestamptz",
            var other => Convert.ToString(other, CultureInfo.InvariantCulture)!,
        })).ReplaceLineEndings(" ");
    var output = Path.GetTempFileName();
    var script = $"psql -h '{builder.Host}' -p {builder.Port} -U '{builder.Username}' -d '{builder.Database}' -q -c \"\\copy ({sql.Replace("\"", "\\\"")}) to stdout\" | gzip -1 > '{output}'";
    var start = new ProcessStartInfo("bash", ["-o", "pipefail", "-c", script]) { RedirectStandardError = true };
    var stopwatch = Stopwatch.StartNew();
    using var process = Process.Start(start)!;
    var errors = await process.StandardError.ReadToEndAsync();
    await process.WaitForExitAsync();
    stopwatch.Stop();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"the baseline failed: {errors}");
    }

    var bytes = new FileInfo(output).Length;
    File.Delete(output);
    return (stopwatch.Elapsed, bytes);
}

sealed class FixedConnection(string connectionString) : IDatabaseConnection
{
    public string ConnectionString => connectionString;
}

/// <summary>Samples this process's resident set every 20 ms; the benchmark reports the largest.</summary>
sealed class PeakMemorySampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private long _peak;

    public PeakMemorySampler() => _sampling = Task.Run(async () =>
    {
        while (!_stop.IsCancellationRequested)
        {
            using var process = Process.GetCurrentProcess();
            _peak = Math.Max(_peak, process.WorkingSet64);
            try
            {
                await Task.Delay(20, _stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    });

    public long Stop()
    {
        _stop.Cancel();
        _sampling.Wait();
        return _peak;
    }

    public void Dispose() => _stop.Dispose();
}
