using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Core.Persistence;
using BatchExports.Core.Errors;
using BatchExports.Core.Security;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace BatchExports.Core.Services.BatchExports;

/// <summary>Lists and retrieves batch exports, each with its decrypted config and newest runs.</summary>
public sealed class BatchExportReader(BatchExportsDbContext db, ConfigCipher cipher)
{
    public async Task<(int Count, IReadOnlyList<BatchExportView> Results)> ListAsync(
        ExportScope scope, int limit, int offset, CancellationToken cancellationToken)
    {
        // The count and the page (each export with its newest runs) in one round trip.
        var (total, rows) = await ReadAsync(async connection =>
        {
            await using var batch = new NpgsqlBatch(connection);
            var count = new NpgsqlBatchCommand(ExportRows.Count);
            count.Parameters.Add(ExportRows.Teams(scope));
            var page = new NpgsqlBatchCommand(ExportRows.Page);
            page.Parameters.Add(ExportRows.Teams(scope));
            page.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
            page.Parameters.Add(new NpgsqlParameter<int>("offset", offset));
            batch.BatchCommands.Add(count);
            batch.BatchCommands.Add(page);
            await batch.PrepareAsync(cancellationToken);
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var exportCount = reader.GetInt32(0);
            await reader.NextResultAsync(cancellationToken);
            return (exportCount, await ExportRows.ReadAsync(reader, cancellationToken));
        }, cancellationToken);
        return (total, rows.Select(row => new BatchExportView(row.Export, Decrypt(row.Export), row.Runs)).ToList());
    }

    public async Task<BatchExportView> GetAsync(ExportScope scope, string rawId, CancellationToken cancellationToken)
    {
        var id = ExportLookup.ParseId(rawId);
        var rows = await ReadAsync(async connection =>
        {
            await using var command = new NpgsqlCommand(ExportRows.ById, connection);
            command.Parameters.Add(new NpgsqlParameter<Guid>("id", id));
            command.Parameters.Add(ExportRows.Teams(scope));
            await command.PrepareAsync(cancellationToken);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await ExportRows.ReadAsync(reader, cancellationToken);
        }, cancellationToken);
        if (rows.Count == 0)
        {
            throw new NotFoundException();
        }

        var (export, runs) = rows[0];
        return new BatchExportView(export, Decrypt(export), runs);
    }

    public async Task<BatchExportView> ViewAsync(BatchExport export, JsonObject config, CancellationToken cancellationToken)
    {
        var runs = await db.BatchExportRuns.AsNoTracking()
            .Where(r => r.BatchExportId == export.Id)
            .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id)
            .Take(ExportRows.LatestRunsCount)
            .ToListAsync(cancellationToken);
        return new BatchExportView(export, config, runs);
    }

    public JsonObject Decrypt(BatchExport export) => cipher.Decrypt(export.Destination.ConfigCiphertext, export.Destination.Id);

    /// <summary>
    /// Runs a hand-written read on the context's own connection, so the hot path shares EF's pool and connection
    /// string; the connection goes back to the pool afterwards, as after each EF query. The reads prepare their
    /// statements: Npgsql keeps a prepared statement on the physical connection, so PostgreSQL parses and plans each
    /// statement once per connection instead of once per request (its CPU per request was as large as the API's).
    /// </summary>
    private async Task<T> ReadAsync<T>(Func<NpgsqlConnection, Task<T>> read, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            return await read((NpgsqlConnection)db.Database.GetDbConnection());
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
