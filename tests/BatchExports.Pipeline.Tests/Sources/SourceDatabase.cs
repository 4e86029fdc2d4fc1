using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Core.Persistence;
using BatchExports.Pipeline.Formats;
using BatchExports.Pipeline.Sources;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Pipeline.Tests.Sources;

/// <summary>A <see cref="SourceData"/> database of its own per test class, seeded through EF with hand-written source rows.</summary>
public abstract class SourceDatabase : IAsyncLifetime
{
    private SourceData? _data;

    /// <summary>The interval most tests read: [10:00, 11:00) on 1 June 2024.</summary>
    public static readonly DataInterval Interval = new(At(10, 0), At(11, 0));

    public string ConnectionString => Data.ConnectionString;

    public PostgresSource Source => Data.Source;

    private SourceData Data => _data ?? throw new InvalidOperationException("The source database is created in InitializeAsync.");

    public static DateTimeOffset At(int hour, int minute, int second = 0) => new(2024, 6, 1, hour, minute, second, TimeSpan.Zero);

    public async ValueTask InitializeAsync()
    {
        _data = await SourceData.CreateAsync(GetType().Name);
        await using var db = Context();
        await SeedAsync(db);
        await db.SaveChangesAsync();
    }

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    public BatchExportsDbContext Context() => new(new DbContextOptionsBuilder<BatchExportsDbContext>().UseNpgsql(ConnectionString).Options);

    /// <summary>Every batch the source yields for the query.</summary>
    public async Task<List<RecordBatch>> BatchesAsync(SourceQuery query, int batchSize = PostgresSource.DefaultBatchSize)
    {
        var batches = new List<RecordBatch>();
        await foreach (var batch in Source.ReadAsync(query, batchSize, CancellationToken.None))
        {
            batches.Add(batch);
        }

        return batches;
    }

    /// <summary>Every row the source yields for the query, as column name → value.</summary>
    public async Task<List<Dictionary<string, object?>>> RowsAsync(SourceQuery query, int batchSize = PostgresSource.DefaultBatchSize) =>
        (await BatchesAsync(query, batchSize))
            .SelectMany(batch => batch.Rows.Select(row => batch.Columns.Select((column, i) => (column.Name, Value: row[i])).ToDictionary(c => c.Name, c => c.Value)))
            .ToList();

    protected abstract Task SeedAsync(BatchExportsDbContext db);

    public static BatchExport Export(string model = ExportModels.Events, JsonArray? filters = null, JsonObject? schema = null, int teamId = 1) =>
        new() { Id = Guid.NewGuid(), TeamId = teamId, Model = model, Filters = filters, Schema = schema };

    public static JsonObject Config(string[]? include = null, string[]? exclude = null)
    {
        var config = new JsonObject();
        if (include != null)
        {
            config["include_events"] = new JsonArray([.. include.Select(e => (JsonNode)e)]);
        }

        if (exclude != null)
        {
            config["exclude_events"] = new JsonArray([.. exclude.Select(e => (JsonNode)e)]);
        }

        return config;
    }

    public static SourceEvent Event(
        string name, DateTimeOffset timestamp, DateTimeOffset insertedAt, string properties = "{}", int teamId = 1,
        string? personProperties = null, string distinctId = "user-1", Guid? uuid = null) => new()
    {
        Uuid = uuid ?? Guid.CreateVersion7(timestamp),
        TeamId = teamId,
        Event = name,
        DistinctId = distinctId,
        Properties = properties,
        PersonProperties = personProperties,
        Timestamp = timestamp,
        CreatedAt = insertedAt.AddMilliseconds(-5),
        InsertedAt = insertedAt,
    };
}
