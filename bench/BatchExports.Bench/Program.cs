using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Core.Hosting;
using BatchExports.Core.Persistence;
using BatchExports.Pipeline.Destinations.S3;
using BatchExports.Pipeline.Formats;
using BatchExports.Pipeline.Runs;
using BatchExports.Pipeline.Sources;
using BatchExports.Api.Commands.GenerateEvents;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

// Export throughput: N synthetic events exported as one interval to a local S3-compatible server, as JSONLines+gzip
// and as Parquet+zstd, through the pipeline and as a backfill POSTed to `serve`, against
// `psql \copy (same SELECT) | gzip -1` on the same rows in the same run.
var events = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
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
    connectionString, new SyntheticDataOptions { TeamId = teamId, Events = events, End = end, Window = TimeSpan.FromHours(1), Seed = 42 }, CancellationToken.None);
Console.WriteLine($"generate-events: {generated}");
// Rows to warm `serve` up with (below): up to 50,000 of the events copied into the hour before the measured one and
// ingested 30 days earlier, outside every measured interval, so no measured export or baseline returns them; the
// VACUUM after them leaves every page as settled for the baselines as for the exports.
await ExecuteAsync(connectionString, string.Create(CultureInfo.InvariantCulture, $"""
    INSERT INTO events
    SELECT (jsonb_populate_record(NULL::events, to_jsonb(e) || jsonb_build_object(
        'uuid', gen_random_uuid(), 'timestamp', e.timestamp - interval '1 hour', 'inserted_at', e.inserted_at - interval '30 days'))).*
    FROM (SELECT * FROM events WHERE team_id = {teamId} AND timestamp >= '{end.AddHours(-1).UtcDateTime:yyyy-MM-dd HH:mm:ss}+00' LIMIT 50000) e
    """));
await ExecuteAsync(connectionString, "VACUUM ANALYZE events");

// One scheduled-run interval holding every event (the generator's ingestion times fall before the window's end).
var interval = new DataInterval(end.AddDays(-1).AddHours(-1), end.AddHours(6));
var export = new BatchExport
{
    Id = Guid.NewGuid(), TeamId = teamId, Name = "bench", Model = ExportModels.Events, Interval = Intervals.Day,
    Destination = new BatchExportDestination { Id = Guid.NewGuid(), Type = "S3" },
};
var query = SourceQueries.Records(new SourceRequest(ExportSelection.Of(export, new JsonObject()), interval, IsBackfill: false, S3Destination.EventFields));
var rowsInInterval = await CountAsync(connectionString, query);
Console.WriteLine($"interval {interval.Start:u} – {interval.End:u}: {rowsInInterval:N0} rows");

// Three baselines of psql's own \copy | gzip -1 on the same rows: the export's SELECT as the source runs it, the same
// SELECT without ORDER BY, and the issue's row_to_json form (one JSON object per line, unordered). Ratios are against
// whichever is fastest (by median), so the figure is against the quickest way PostgreSQL hands the interval out.
var inlined = Inlined(query);
var unordered = inlined[..(inlined.LastIndexOf("ORDER BY", StringComparison.Ordinal) is var o and >= 0 ? o : inlined.Length)];
var source = new PostgresSource(new FixedConnection(connectionString));
IDestination s3Destination = new S3Destination();
var sourceRequest = new SourceRequest(
    ExportSelection.Of(export, new JsonObject()), interval, IsBackfill: false, S3Destination.EventFields,
    Ordered: s3Destination.NeedsOrderedRecords, Utf8Json: s3Destination.AcceptsUtf8Json);

// As a user would: `serve` (API + embedded engine) on the same database, a one-hour backfill of an S3 export POSTed
// through the HTTP API with a personal API key, timed until the backfill reads Completed.
await using var server = await BenchServer.StartAsync(connectionString);
Console.WriteLine($"serve: {server.BaseAddress} (log {server.LogPath})");
var cpu = await CpuMeter.StartAsync(connectionString, server.ProcessId);
var abTesting = Environment.GetEnvironmentVariable("BENCH_EXPORT_AB") == "1";
// BENCH_EXPORT_LEAN=1 (for 10M events): the fastest baseline (unordered) and the S3 exports only, no stages.
var lean = Environment.GetEnvironmentVariable("BENCH_EXPORT_LEAN") == "1";
var results = new List<(string Label, double Seconds, string Detail)>();
string[] baselines = ["baseline \\copy (export SELECT) | gzip -1", "baseline \\copy (SELECT, unordered) | gzip -1", "baseline \\copy (row_to_json) | gzip -1"];

// BENCH_EXPORT_STAGES=1: only the in-process stages, each round, with the garbage collections they caused: for
// comparing runtime settings (DOTNET_gcConcurrent, DOTNET_GCgen0size, …) between two runs in the same window.
if (Environment.GetEnvironmentVariable("BENCH_EXPORT_STAGES") == "1")
{
    for (var round = 1; round <= rounds; round++)
    {
        Console.WriteLine($"-- stages, round {round} of {rounds}");
        foreach (var batchSize in new[] { PostgresSource.DefaultBatchSize, 1_000 })
        {
            var (g0, g1, g2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            var stopwatch = Stopwatch.StartNew();
            long rows = 0;
            await foreach (var batch in source.Read(sourceRequest, batchSize).Batches)
            {
                rows += batch.Count;
            }

            Record($"stage: source only, batches of {batchSize:N0}", stopwatch.Elapsed, rows, Collections(g0, g1, g2));
        }

        foreach (var (format, compression) in new[] { ("JSONLines", "gzip"), ("Parquet", "zstd") })
        {
            var (g0, g1, g2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            var stage = await FormatStageAsync(format, compression);
            Record($"stage: source + {format}+{compression}, no upload", stage.Elapsed, stage.Records, Collections(g0, g1, g2));
        }
    }

    await server.DisposeAsync();
    await postgres.DropDatabaseAsync(connectionString);
    return 0;
}

// An S3 destination config on a new bucket of the test server.
async Task<JsonObject> S3ConfigAsync(string format, string compression) => new()
{
    ["bucket_name"] = await s3.CreateBucketAsync(), ["region"] = s3.Region, ["prefix"] = "bench/", ["endpoint_url"] = s3.Endpoint,
    ["aws_access_key_id"] = s3.AccessKeyId, ["aws_secret_access_key"] = s3.SecretAccessKey,
    ["file_format"] = format, ["compression"] = compression,
};

// The source read into a file writer onto a null stream: what formatting and compression add to the read, no upload.
async Task<(TimeSpan Elapsed, long Records, long Bytes)> FormatStageAsync(string format, string compression)
{
    var stopwatch = Stopwatch.StartNew();
    var read = source.Read(sourceRequest, PostgresSource.DefaultBatchSize);
    await using var writer = FileFormats.Create(format, compression, Stream.Null, read.Columns);
    await foreach (var batch in read.Batches)
    {
        await writer.WriteAsync(batch, CancellationToken.None);
    }

    await writer.FinishAsync(CancellationToken.None);
    return (stopwatch.Elapsed, writer.RecordsWritten, writer.BytesWritten);
}

static string Collections(int g0, int g1, int g2) =>
    $"GCs gen0/1/2 {GC.CollectionCount(0) - g0}/{GC.CollectionCount(1) - g1}/{GC.CollectionCount(2) - g2}";

// `serve` measured as a server that has been running is: backfills of the warm-up rows first, through the whole path,
// so the measured backfills do not pay a fresh process's JIT. One is not enough: a method called once per batch (a
// Parquet column's encoder, a batch's JSON loop) runs unoptimised and then instrumented for dynamic PGO until it has
// been called ~60 times, so a 1M-row export right after one 50,000-row warm-up cost `serve` ~20 % more CPU than the
// same export at steady state (2026-12-02). BENCH_SERVE_WARMUPS sets how many per format (default 12, 60 batches);
// the first (the cold figure) and the last are printed, outside the medians.
var warmUps = int.TryParse(Environment.GetEnvironmentVariable("BENCH_SERVE_WARMUPS"), out var w) && w >= 0 ? w : 12;
foreach (var (format, compression) in new[] { ("JSONLines", "gzip"), ("Parquet", "zstd") })
{
    for (var i = 1; i <= warmUps; i++)
    {
        var warmUp = await server.BackfillAsync(await S3ConfigAsync(format, compression), end.AddHours(-2), end.AddHours(-1));
        if (i == 1 || i == warmUps)
        {
            Console.WriteLine($"  warm-up {i} of {warmUps} of serve: backfill of {warmUp.Records:N0} rows, {format}+{compression}, POST -> Completed {warmUp.Elapsed.TotalSeconds:0.00} s");
        }
    }
}

var settled = await server.SettleAsync();
Console.WriteLine($"  serve idle {settled.Waited.TotalSeconds:0.0} s after its warm-up ({settled.CpuSeconds:0.0} s of CPU meanwhile)");
cpu.Lap(); // the warm-up's CPU is not the first case's

for (var round = 1; round <= rounds; round++)
{
    Console.WriteLine($"-- round {round} of {rounds}");
    string[] baselineSql = [inlined, unordered, $"SELECT row_to_json(r) FROM ({unordered}) r"];
    // BENCH_EXPORT_NO_BASELINES=1: the exports alone, for comparing runtime settings between runs (no ratios then).
    for (var b = 0; b < (Environment.GetEnvironmentVariable("BENCH_EXPORT_NO_BASELINES") == "1" ? 0 : baselines.Length); b++)
    {
        if (lean && baselineSql[b] != unordered)
        {
            continue;
        }

        var run = await BaselineAsync(connectionString, baselineSql[b]);
        Record(baselines[b], run.Elapsed, rowsInInterval, $"gzip output {run.Bytes / 1048576.0:0.0} MB");
    }

    // Where the time goes: the source alone (rows read and materialised, then dropped), then source + format +
    // compression onto a null stream (no upload). The rest of the end-to-end time is the upload and overlap lost.
    if (!lean)
    {
        var stopwatch = Stopwatch.StartNew();
        long rows = 0;
        await foreach (var batch in source.Read(sourceRequest, PostgresSource.DefaultBatchSize).Batches)
        {
            rows += batch.Count;
        }

        Record("stage: source only", stopwatch.Elapsed, rows, "");
    }

    // BENCH_EXPORT_AB=1: alternatives measured in the same round as what the export does (bench/README.md).
    if (abTesting)
    {
        var stopwatch = Stopwatch.StartNew();
        long rows = 0;
        await foreach (var batch in source.Read(sourceRequest with { Utf8Json = false }, PostgresSource.DefaultBatchSize).Batches)
        {
            rows += batch.Count;
        }

        Record("A/B: source only, JSON as strings", stopwatch.Elapsed, rows, "");

        stopwatch.Restart();
        rows = await CopyBinaryRowsAsync(connectionString, Inlined(SourceQueries.Records(sourceRequest)), SourceQueries.Records(sourceRequest).Columns);
        Record("A/B: source only, COPY (…) TO STDOUT (FORMAT BINARY)", stopwatch.Elapsed, rows, "");

        stopwatch.Restart();
        var read = source.Read(sourceRequest with { Utf8Json = false }, PostgresSource.DefaultBatchSize);
        await using var writer = FileFormats.Create("JSONLines", "gzip", Stream.Null, read.Columns);
        await foreach (var batch in read.Batches)
        {
            await writer.WriteAsync(batch, CancellationToken.None);
        }

        await writer.FinishAsync(CancellationToken.None);
        Record("A/B: source + JSONLines+gzip, JSON as strings", stopwatch.Elapsed, writer.RecordsWritten, $"output {writer.BytesWritten / 1048576.0:0.0} MB");

        stopwatch.Restart();
        read = source.Read(sourceRequest with { Utf8Json = false }, PostgresSource.DefaultBatchSize);
        await using var parquet = FileFormats.Create("Parquet", "zstd", Stream.Null, read.Columns);
        await foreach (var batch in read.Batches)
        {
            await parquet.WriteAsync(batch, CancellationToken.None);
        }

        await parquet.FinishAsync(CancellationToken.None);
        Record("A/B: source + Parquet+zstd, JSON as strings", stopwatch.Elapsed, parquet.RecordsWritten, $"output {parquet.BytesWritten / 1048576.0:0.0} MB");

        // Why the JSONLines output is larger than the baseline's: the uncompressed sizes of both renderings, a line of
        // each (round 1 only), and our JSON through zlib-ng at explicit levels (Fastest is zlib-ng's level 1,
        // deflate_quick: static Huffman codes only, where gzip -1 builds dynamic ones).
        var text = await BaselineAsync(connectionString, unordered, "cat");
        Record("A/B: baseline \\copy (SELECT, unordered), uncompressed", text.Elapsed, rowsInInterval, $"output {text.Bytes / 1048576.0:0.0} MB");
        stopwatch.Restart();
        read = source.Read(sourceRequest, PostgresSource.DefaultBatchSize);
        var plain = new CountingNullStream();
        await using (var writer2 = FileFormats.Create("JSONLines", null, plain, read.Columns))
        {
            await foreach (var batch in read.Batches)
            {
                await writer2.WriteAsync(batch, CancellationToken.None);
            }

            await writer2.FinishAsync(CancellationToken.None);
        }

        Record("A/B: source + JSONLines, uncompressed", stopwatch.Elapsed, rowsInInterval, $"output {plain.Length / 1048576.0:0.0} MB");
        if (round == 1)
        {
            Console.WriteLine($"    one row, \\copy text: {await FirstLineAsync(connectionString, unordered)}");
            var first = source.Read(sourceRequest, 1);
            using var line = new MemoryStream();
            await using (var lineWriter = FileFormats.Create("JSONLines", null, line, first.Columns))
            {
                await foreach (var batch in first.Batches)
                {
                    await lineWriter.WriteAsync(new RecordBatch(batch.Columns, [batch.Rows[0]]), CancellationToken.None);
                    break;
                }

                await lineWriter.FinishAsync(CancellationToken.None);
            }

            Console.WriteLine($"    one row, our JSONLines: {System.Text.Encoding.UTF8.GetString(line.ToArray()).TrimEnd()}");
        }

        foreach (var level in new[] { 1, 2, 3 })
        {
            stopwatch.Restart();
            read = source.Read(sourceRequest, PostgresSource.DefaultBatchSize);
            var compressed = new CountingNullStream();
            await using (var gzip = new System.IO.Compression.GZipStream(compressed, new System.IO.Compression.ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true))
            {
                await using var levelWriter = FileFormats.Create("JSONLines", null, gzip, read.Columns);
                await foreach (var batch in read.Batches)
                {
                    await levelWriter.WriteAsync(batch, CancellationToken.None);
                }

                await levelWriter.FinishAsync(CancellationToken.None);
            }

            Record($"A/B: source + JSONLines + zlib-ng level {level}", stopwatch.Elapsed, rowsInInterval, $"output {compressed.Length / 1048576.0:0.0} MB");
        }
    }

    foreach (var (format, compression) in lean ? [] : new[] { ("JSONLines", "gzip"), ("Parquet", "zstd") })
    {
        var stage = await FormatStageAsync(format, compression);
        Record($"stage: source + {format}+{compression}, no upload", stage.Elapsed, stage.Records, $"output {stage.Bytes / 1048576.0:0.0} MB");
    }

    foreach (var (format, compression) in new[] { ("JSONLines", "gzip"), ("Parquet", "zstd") })
    {
        var config = await S3ConfigAsync(format, compression);
        var context = PipelineRuns.Context("S3", config, interval.Start, interval.End, teamId);
        var destination = new S3Destination();

        GC.Collect();
        var before = Process.GetCurrentProcess().WorkingSet64;
        using var sampler = new PeakMemorySampler();
        var stopwatch = Stopwatch.StartNew();
        var outcome = await destination.ExportAsync(source, context, CancellationToken.None);
        stopwatch.Stop();
        var peak = sampler.Stop();
        Record(
            $"S3 {format}+{compression}", stopwatch.Elapsed, outcome.RecordsCompleted,
            $"output {outcome.BytesExported / 1048576.0:0.0} MB, peak RSS {peak / 1048576.0:0} MB (+{(peak - before) / 1048576.0:0} MB over idle)");
        if (outcome.RecordsCompleted != rowsInInterval)
        {
            throw new InvalidOperationException($"exported {outcome.RecordsCompleted} rows, expected {rowsInInterval}");
        }
    }


    foreach (var (format, compression) in new[] { ("JSONLines", "gzip"), ("Parquet", "zstd") })
    {
        var config = await S3ConfigAsync(format, compression);
        var backfill = await server.BackfillAsync(config, end.AddHours(-1), end);
        Record(
            $"HTTP: POST backfills/ -> Completed, {format}+{compression}", backfill.Elapsed, backfill.Records,
            $"server peak RSS {backfill.PeakRss / 1048576.0:0} MB (+{(backfill.PeakRss - backfill.IdleRss) / 1048576.0:0} MB over idle), {backfill.Steps}");
        if (backfill.Records != rowsInInterval)
        {
            throw new InvalidOperationException($"the backfill exported {backfill.Records} rows, expected {rowsInInterval}");
        }
    }
}

// Medians over the rounds; each ratio is throughput against the fastest baseline (> 1 is faster than it).
var baselineMedian = results.Any(r => baselines.Contains(r.Label))
    ? baselines.Where(label => results.Any(r => r.Label == label)).Min(label => Median(results.Where(r => r.Label == label).Select(r => r.Seconds)))
    : double.NaN;
Console.WriteLine();
Console.WriteLine($"medians of {rounds} round(s), {rowsInInterval:N0} rows:");
foreach (var label in results.Select(r => r.Label).Distinct())
{
    var median = Median(results.Where(r => r.Label == label).Select(r => r.Seconds));
    Console.WriteLine($"  {label,-52} {median,7:0.00} s  {rowsInInterval / median,10:N0} rows/s  {baselineMedian / median:0.00}× the fastest baseline's throughput");
}

void Record(string label, TimeSpan elapsed, long rows, string detail)
{
    results.Add((label, elapsed.TotalSeconds, detail));
    // CPU seconds each process spent since the previous case: where the time goes on 2 shared cores.
    Console.WriteLine($"  {label,-52} {elapsed.TotalSeconds,7:0.00} s  {rows / elapsed.TotalSeconds,10:N0} rows/s  {detail}  [CPU s: {cpu.Lap()}]");
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

await server.DisposeAsync();
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

/// <summary>The query with its parameters spelled out, on one line, as psql takes it.</summary>
static string Inlined(SourceQuery query) =>
    query.Parameters.Aggregate(query.Sql, (text, parameter) => text.Replace(
        "@" + parameter.ParameterName,
        parameter.Value switch
        {
            DateTimeOffset instant => $"'{instant.UtcDateTime:yyyy-MM-dd HH:mm:ss.ffffff}+00'::timestamptz",
            var other => Convert.ToString(other, CultureInfo.InvariantCulture)!,
        })).ReplaceLineEndings(" ");

/// <summary>
/// The rows of a SELECT through <c>COPY … TO STDOUT (FORMAT BINARY)</c>, materialised as the source would (JSON as
/// UTF-8 bytes) into batches that are then dropped: what reading by COPY instead of the query protocol would cost.
/// </summary>
static async Task<long> CopyBinaryRowsAsync(string connectionString, string sql, IReadOnlyList<Column> columns)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var exporter = await connection.BeginBinaryExportAsync($"COPY ({sql}) TO STDOUT (FORMAT BINARY)");
    long count = 0;
    var rows = new List<object?[]>(PostgresSource.DefaultBatchSize);
    while (await exporter.StartRowAsync() >= 0)
    {
        var row = new object?[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            if (exporter.IsNull)
            {
                await exporter.SkipAsync();
                continue;
            }

            row[i] = columns[i].Kind switch
            {
                ColumnKind.Int64 => await exporter.ReadAsync<long>(NpgsqlTypes.NpgsqlDbType.Bigint),
                ColumnKind.Float64 => await exporter.ReadAsync<double>(NpgsqlTypes.NpgsqlDbType.Double),
                ColumnKind.Boolean => await exporter.ReadAsync<bool>(NpgsqlTypes.NpgsqlDbType.Boolean),
                ColumnKind.Timestamp => await exporter.ReadAsync<DateTimeOffset>(NpgsqlTypes.NpgsqlDbType.TimestampTz),
                ColumnKind.StringArray => await exporter.ReadAsync<string[]>(NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text),
                ColumnKind.Json => await exporter.ReadAsync<byte[]>(NpgsqlTypes.NpgsqlDbType.Bytea),
                _ => (object)await exporter.ReadAsync<string>(NpgsqlTypes.NpgsqlDbType.Text),
            };
        }

        rows.Add(row);
        if (rows.Count == PostgresSource.DefaultBatchSize)
        {
            count += rows.Count;
            rows = new List<object?[]>(PostgresSource.DefaultBatchSize);
        }
    }

    return count + rows.Count;
}

/// <summary>A SELECT through psql's \copy, compressed with gzip -1: what a hand-rolled export costs.</summary>
static async Task<(TimeSpan Elapsed, long Bytes)> BaselineAsync(string connectionString, string sql, string compressor = "gzip -1")
{
    var builder = new NpgsqlConnectionStringBuilder(connectionString);
    var output = Path.GetTempFileName();
    var script = $"psql -h '{builder.Host}' -p {builder.Port} -U '{builder.Username}' -d '{builder.Database}' -q -c \"\\copy ({sql.Replace("\"", "\\\"")}) to stdout\" | {compressor} > '{output}'";
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

/// <summary>The first line psql's \\copy writes for a SELECT (text format).</summary>
static async Task<string> FirstLineAsync(string connectionString, string sql)
{
    var builder = new NpgsqlConnectionStringBuilder(connectionString);
    var script = $"psql -h '{builder.Host}' -p {builder.Port} -U '{builder.Username}' -d '{builder.Database}' -q -c \"\\copy ({sql.Replace("\"", "\\\"")} LIMIT 1) to stdout\"";
    var start = new ProcessStartInfo("bash", ["-o", "pipefail", "-c", script]) { RedirectStandardOutput = true };
    using var process = Process.Start(start)!;
    var line = await process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    return line.TrimEnd();
}

/// <summary>Counts the bytes written to it and drops them: an output's size without keeping it.</summary>
sealed class CountingNullStream : Stream
{
    private long _length;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _length;

    public override long Position { get => _length; set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => _length += count;

    public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        _length += count;
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _length += buffer.Length;
        return ValueTask.CompletedTask;
    }
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
