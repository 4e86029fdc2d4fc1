using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BatchExports.EngineBench;
using BatchExports.Testing;
using Npgsql;

// The embedded engine as a user meets it, against a `serve` process (see bench/pickup and bench/schedules):
//   pickup [ROUNDS]              how soon work that became due starts (issue 12 goal 2); medians of ROUNDS (default 3)
//   schedules [COUNT] [SETTLE_S] COUNT exports `every 5 minutes` (default 50000) through one boundary (issue 12 goal 4)
var mode = args.Length > 0 ? args[0] : "pickup";
var apiDll = Environment.GetEnvironmentVariable("API_DLL") ?? "src/BatchExports.Api/bin/Release/net10.0/BatchExports.Api.dll";
var postgres = await TestPostgres.GetAsync();
// The test kit's throwaway cluster hands out unpooled connection strings (so a test's database can be dropped at once);
// `serve` as a user runs it pools connections (Npgsql's default, 100 at most), and without a pool every DbContext forks a
// PostgreSQL backend. BENCH_POOLING=0 measures the unpooled way, as the figures before 2026-12-01 20:30 were taken.
var connectionString = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync($"engine_bench_{mode}"))
{
    Pooling = Environment.GetEnvironmentVariable("BENCH_POOLING") != "0",
    MaxPoolSize = 100,
}.ConnectionString;
Console.WriteLine($"BatchExports engine benchmark ({mode}): {Environment.ProcessorCount} CPU(s), .NET {Environment.Version}, PostgreSQL: {postgres.Source}");

switch (mode)
{
    case "pickup":
        await PickupAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3);
        break;
    case "schedules":
        await SchedulesAsync(
            args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 50_000,
            TimeSpan.FromSeconds(args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 30));
        break;
    default:
        throw new ArgumentException($"unknown mode {mode}: pickup or schedules");
}

return;

async Task PickupAsync(int rounds)
{
    var settle = TimeSpan.FromSeconds(2);
    await using var serve = await ServeProcess.StartAsync(apiDll, connectionString, new Dictionary<string, string>
    {
        ["BatchExports__Engine__SettleDelay"] = settle.ToString("c", CultureInfo.InvariantCulture),
    });
    var teamId = await ScalarAsync<int>("SELECT id FROM teams ORDER BY id LIMIT 1");
    var postToRunning = new List<double>();
    var lastRunToCompleted = new List<double>();
    var postToCompleted = new List<double>();
    for (var round = 1; round <= rounds; round++)
    {
        // A day of hours of which only the first holds an event: the planner runs all 24 intervals, 23 of them empty.
        var day = new DateTimeOffset(2026, 10, round, 0, 0, 0, TimeSpan.Zero);
        var exportId = await CreateExportAsync(serve.Client, $"pickup {round}", "hour", paused: true);
        await ExecuteAsync($"INSERT INTO events (uuid, team_id, event, distinct_id, timestamp, created_at, inserted_at, properties) " +
            $"VALUES (gen_random_uuid(), {teamId}, '$pageview', 'user-1', '{day.AddHours(0.5):O}', '{day.AddHours(0.5):O}', '{day.AddHours(0.5):O}', '{{}}')");

        var posted = DateTimeOffset.UtcNow;
        var elapsed = Stopwatch.StartNew();
        using var created = await serve.Client.PostAsJsonAsync(
            new Uri($"/api/projects/@current/batch_exports/{exportId}/backfills/", UriKind.Relative),
            new JsonObject { ["start_at"] = $"{day:O}", ["end_at"] = $"{day.AddDays(1):O}" });
        created.EnsureSuccessStatusCode();
        var backfillId = (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["backfill_id"]!;
        while (true)
        {
            var backfill = await serve.Client.GetFromJsonAsync<JsonObject>(new Uri($"/api/projects/@current/batch_exports/{exportId}/backfills/{backfillId}/", UriKind.Relative));
            if ((string?)backfill!["status"] is "Completed" or "Failed" or "Cancelled")
            {
                break;
            }

            await Task.Delay(5);
        }

        var done = elapsed.Elapsed;
        var runs = await ScalarAsync<long>($"SELECT count(*) FROM batch_export_runs WHERE backfill_id = '{backfillId}' AND status = 'Completed'");
        var firstStart = await ScalarAsync<DateTime>($"""
            SELECT min(l.timestamp) FROM batch_export_log_entries l JOIN batch_export_runs r ON l.instance_id = r.id::text
            WHERE r.backfill_id = '{backfillId}' AND l.message LIKE 'Batch exporting range%'
            """);
        var lastGap = await ScalarAsync<double>($"""
            SELECT extract(epoch FROM b.finished_at - (SELECT max(finished_at) FROM batch_export_runs WHERE backfill_id = b.id)) * 1000
            FROM batch_export_backfills b WHERE b.id = '{backfillId}'
            """);
        // Where an interval step's time goes: the backfill driver creating the next run after the previous one finished,
        // an executor claiming and starting it (its start log line), and the run itself (start line → finished).
        var steps = await ScalarAsync<string>($$"""
            WITH r AS (
                SELECT r.created_at, r.finished_at, lag(r.finished_at) OVER (ORDER BY r.data_interval_start) AS previous_finished,
                    (SELECT min(l.timestamp) FROM batch_export_log_entries l WHERE l.instance_id = r.id::text) AS started
                FROM batch_export_runs r WHERE r.backfill_id = '{{backfillId}}')
            SELECT format('%s / %s / %s',
                round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM created_at - previous_finished)) * 1000)::numeric, 1),
                round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM started - created_at)) * 1000)::numeric, 1),
                round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started)) * 1000)::numeric, 1))
            FROM r
            """);
        var toRunning = (new DateTimeOffset(firstStart, TimeSpan.Zero) - posted).TotalMilliseconds;
        Console.WriteLine($"  round {round}: {runs} run(s) Completed; POST → first run Running {toRunning:0} ms; last run finished → backfill Completed {lastGap:0} ms; " +
            $"POST → backfill Completed (seen by GET every 5 ms) {done.TotalMilliseconds:0} ms; " +
            $"per interval, median ms: previous run finished → next created / created → started / started → finished {steps}");
        postToRunning.Add(toRunning);
        lastRunToCompleted.Add(lastGap);
        postToCompleted.Add(done.TotalMilliseconds);
    }

    Console.WriteLine($"median of {rounds}: POST → first run Running {Median(postToRunning):0} ms; last run finished → backfill Completed {Median(lastRunToCompleted):0} ms; " +
        $"24-hour NoOp backfill POST → Completed {Median(postToCompleted):0} ms");

    // Scheduled runs: three exports `every 5 minutes` through the next boundary; each run should start at boundary + settle delay.
    var exports = new List<Guid>();
    for (var i = 0; i < rounds; i++)
    {
        exports.Add(await CreateExportAsync(serve.Client, $"scheduled {i}", "every 5 minutes", paused: false));
    }

    var boundary = NextBoundary(DateTimeOffset.UtcNow);
    Console.WriteLine($"waiting for the boundary {boundary:u} (+ settle delay {settle.TotalSeconds:0} s)...");
    await Task.Delay(boundary + settle + TimeSpan.FromSeconds(3) - DateTimeOffset.UtcNow);
    var late = new List<double>();
    foreach (var exportId in exports)
    {
        var start = await ScalarAsync<DateTime>($"""
            SELECT min(l.timestamp) FROM batch_export_log_entries l JOIN batch_export_runs r ON l.instance_id = r.id::text
            WHERE r.batch_export_id = '{exportId}' AND r.data_interval_end = '{boundary:O}' AND l.message LIKE 'Batch exporting range%'
            """);
        late.Add((new DateTimeOffset(start, TimeSpan.Zero) - (boundary + settle)).TotalMilliseconds);
    }

    Console.WriteLine($"scheduled run started after boundary + settle delay: {string.Join(" / ", late.Select(l => l.ToString("0", CultureInfo.InvariantCulture)))} ms; median {Median(late):0} ms");
}

async Task SchedulesAsync(int count, TimeSpan settle)
{
    await using var serve = await ServeProcess.StartAsync(apiDll, connectionString, new Dictionary<string, string>
    {
        ["BatchExports__Engine__SettleDelay"] = settle.ToString("c", CultureInfo.InvariantCulture),
    });

    // Creating the exports through the API, 16 requests at a time.
    var creating = Stopwatch.StartNew();
    var ids = new ConcurrentBag<Guid>();
    await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        ids.Add(await CreateExportAsync(serve.Client, $"schedule {i}", "every 5 minutes", paused: false)));
    Console.WriteLine($"created {count:N0} exports `every 5 minutes` through the API in {creating.Elapsed.TotalSeconds:0.0} s (16 concurrent POSTs)");

    var boundary = NextBoundary(DateTimeOffset.UtcNow);
    Console.WriteLine($"waiting for the boundary {boundary:u}; settle delay {settle.TotalSeconds:0} s...");
    await Task.Delay(boundary - TimeSpan.FromSeconds(1) - DateTimeOffset.UtcNow);

    // GET one export, 4 clients back to back, from just before the boundary until every run finished (or 3 minutes).
    var sample = ids.Take(100).ToArray();
    var latencies = new ConcurrentBag<double>();
    using var burstOver = new CancellationTokenSource();
    var readers = Enumerable.Range(0, 4).Select(reader => Task.Run(async () =>
    {
        var n = reader;
        while (!burstOver.IsCancellationRequested)
        {
            var timer = Stopwatch.StartNew();
            using var response = await serve.Client.GetAsync(new Uri($"/api/projects/@current/batch_exports/{sample[n++ % sample.Length]}/", UriKind.Relative));
            response.EnsureSuccessStatusCode();
            latencies.Add(timer.Elapsed.TotalMilliseconds);
        }
    })).ToArray();

    var deadline = boundary + settle + TimeSpan.FromMinutes(3);
    long finished = 0;
    while (DateTimeOffset.UtcNow < deadline)
    {
        await Task.Delay(1000);
        finished = await ScalarAsync<long>($"SELECT count(*) FROM batch_export_runs WHERE data_interval_end = '{boundary:O}' AND status = 'Completed'");
        if (finished >= count)
        {
            break;
        }
    }

    await burstOver.CancelAsync();
    await Task.WhenAll(readers);

    var runs = await ScalarAsync<long>($"SELECT count(*) FROM batch_export_runs WHERE data_interval_end = '{boundary:O}'");
    var exportsWithRun = await ScalarAsync<long>($"SELECT count(DISTINCT batch_export_id) FROM batch_export_runs WHERE data_interval_end = '{boundary:O}'");
    var earlier = await ScalarAsync<long>($"SELECT count(*) FROM batch_export_runs WHERE data_interval_end < '{boundary:O}' AND status IN ('Starting', 'Running')");
    var createdAfter = await ScalarAsync<double?>($"SELECT extract(epoch FROM max(created_at) - '{boundary:O}'::timestamptz) FROM batch_export_runs WHERE data_interval_end = '{boundary:O}'");
    var finishedAfterSettle = await ScalarAsync<double?>(
        $"SELECT extract(epoch FROM max(finished_at) - '{boundary + settle:O}'::timestamptz) FROM batch_export_runs WHERE data_interval_end = '{boundary:O}'");
    var sorted = latencies.Order().ToArray();
    Console.WriteLine($"boundary {boundary:u}: {runs:N0} run(s) for {exportsWithRun:N0} of {count:N0} exports ({(runs == count && exportsWithRun == count ? "exactly once" : "NOT exactly once")}); " +
        $"all created {createdAfter:0.00} s after the boundary; {finished:N0} Completed, the last {finishedAfterSettle:0.0} s after boundary + settle delay; " +
        $"{earlier:N0} run(s) of earlier boundaries (exports created before them) still unfinished");
    Console.WriteLine($"GET batch_exports/{{id}}/ during the burst: {sorted.Length:N0} requests, median {Percentile(sorted, 0.5):0.0} ms, p99 {Percentile(sorted, 0.99):0.0} ms");
}

static DateTimeOffset NextBoundary(DateTimeOffset now) =>
    new(now.UtcTicks - (now.UtcTicks % TimeSpan.FromMinutes(5).Ticks) + TimeSpan.FromMinutes(5).Ticks, TimeSpan.Zero);

static double Median(List<double> values) => Percentile(values.Order().ToArray(), 0.5);

static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

static async Task<Guid> CreateExportAsync(HttpClient client, string name, string interval, bool paused)
{
    using var response = await client.PostAsJsonAsync(new Uri("/api/projects/@current/batch_exports/", UriKind.Relative), new JsonObject
    {
        ["name"] = name,
        ["interval"] = interval,
        ["paused"] = paused,
        ["destination"] = new JsonObject { ["type"] = "NoOp", ["config"] = new JsonObject() },
    });
    var body = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"POST batch_exports: {(int)response.StatusCode} {body}");
    }

    return Guid.Parse((string)JsonNode.Parse(body)!["id"]!);
}

async Task ExecuteAsync(string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    await command.ExecuteNonQueryAsync();
}

async Task<T> ScalarAsync<T>(string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    var value = await command.ExecuteScalarAsync();
    return value is null or DBNull ? default! : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), CultureInfo.InvariantCulture);
}
