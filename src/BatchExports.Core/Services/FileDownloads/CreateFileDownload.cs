using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Core.Errors;
using BatchExports.Core.Hosting;
using BatchExports.Core.Json;
using BatchExports.Core.Orchestration;
using BatchExports.Core.Persistence;
using BatchExports.Core.Security;
using BatchExports.Core.Services.Backfills;
using BatchExports.Core.Services.Logs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BatchExports.Core.Services.FileDownloads;

/// <summary>
/// Creates a file download (spec §5.8): checks the request with PostHog's messages, then — under a per-team advisory
/// lock, so racing requests cannot both pass the concurrency limit — writes the destination, the on-demand export and
/// its one run in Starting. The run is then claimed and executed by the engine like any other run.
/// </summary>
public sealed class CreateFileDownload(
    BatchExportsDbContext db,
    ConfigCipher cipher,
    IExportOrchestrator orchestrator,
    ExportLog log,
    IOptions<BatchExportsOptions> options,
    TimeProvider clock)
{
    /// <summary>The advisory lock namespace of file-download creation (backfills use 7001).</summary>
    private const int LockNamespace = 7002;

    private static readonly TimeSpan MaxRange = TimeSpan.FromDays(7);

    private static readonly IReadOnlyList<string> Models = [.. ExportModels.All, "hogql"];

    public async Task<BatchExportRun> CreateAsync(int teamId, FileDownloadInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var now = clock.GetUtcNow();
        var (model, config, start, end) = Check(input, now);

        var destination = new BatchExportDestination
        {
            Id = Guid.CreateVersion7(),
            Type = FileDownloadConfig.DestinationType,
            CreatedAt = now,
            LastUpdatedAt = now,
        };
        destination.ConfigCiphertext = cipher.Encrypt(config, destination.Id);
        var onDemand = new BatchExportOnDemand
        {
            Id = Guid.CreateVersion7(),
            TeamId = teamId,
            Destination = destination,
            DestinationId = destination.Id,
            Model = model,
            CreatedAt = now,
            LastUpdatedAt = now,
        };
        var run = new BatchExportRun
        {
            Id = Guid.CreateVersion7(),
            BatchExportOnDemandId = onDemand.Id,
            Status = RunStatuses.Starting,
            DataIntervalStart = start,
            DataIntervalEnd = end,
            CreatedAt = now,
            LastUpdatedAt = now,
            NextAttemptAt = now,
        };

        await using (var transaction = await EngineTransaction.BeginAsync(db, orchestrator, cancellationToken))
        {
            await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock({LockNamespace}, {teamId})", cancellationToken);
            var limit = options.Value.MaxConcurrentFileDownloadsPerTeam;
            var active = await (
                from r in db.BatchExportRuns
                join o in db.BatchExportOnDemands on r.BatchExportOnDemandId equals o.Id
                where o.TeamId == teamId && !o.Deleted && (r.Status == RunStatuses.Starting || r.Status == RunStatuses.Running)
                select r.Id).CountAsync(cancellationToken);
            if (active >= limit)
            {
                throw new TooManyConcurrentFileDownloadsException(limit);
            }

            db.BatchExportOnDemands.Add(onDemand);
            db.BatchExportRuns.Add(run);
            await db.SaveChangesAsync(cancellationToken);
            await orchestrator.OnDemandRunCreatedAsync(run, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await log.WriteRunAsync(teamId, run, LogLevels.Info,
            $"File download of {model} requested for {WireJson.FormatDateTime(start)} - {WireJson.FormatDateTime(end)}.", cancellationToken);
        return run;
    }

    private (string Model, JsonObject Config, DateTimeOffset Start, DateTimeOffset End) Check(FileDownloadInput input, DateTimeOffset now)
    {
        var model = input.Model ?? ExportModels.Events;
        if (!Models.Contains(model))
        {
            throw Choice(model, "model");
        }

        var fileFormat = input.FileFormat ?? ExportFileFormats.Parquet;
        if (!ExportFileFormats.All.Contains(fileFormat))
        {
            throw Choice(fileFormat, "file__format");
        }

        if (input.Compression is { } compression && !ExportFileFormats.AllCompressions.Contains(compression))
        {
            throw Choice(compression, "file__compression");
        }

        if (input.MaxSizeMb is < 0)
        {
            throw new ValidationException("Ensure this value is greater than or equal to 0.", "file__max_size_mb", "min_value");
        }

        if (ExportFileFormats.Problem(fileFormat, input.Compression) is { } formatProblem)
        {
            throw new ValidationException(formatProblem, "file");
        }

        if (input.HogqlQuery != null && model != "hogql")
        {
            throw new ValidationException("'hogql_query' is only supported when 'model' is 'hogql'");
        }

        if (model == "hogql")
        {
            // PostHog gates the hogql model behind a per-team feature flag, off unless enabled.
            throw new PermissionDeniedException("HogQL batch exports are not enabled for this team.");
        }

        var start = ParseDateTime(input.DataIntervalStart, "data_interval_start");
        var end = ParseDateTime(input.DataIntervalEnd, "data_interval_end");
        if (start is not { } from || end is not { } to)
        {
            throw new ValidationException($"'data_interval_start' and 'data_interval_end' are required for '{model}'");
        }

        if (to <= from)
        {
            throw new ValidationException("'data_interval_end' must occur after 'data_interval_start'");
        }

        if (to - from > MaxRange)
        {
            throw new ValidationException("data interval range too big");
        }

        if (to > now)
        {
            throw new ValidationException($"The provided 'data_interval_end' ({BackfillBounds.IsoFormat(to, "UTC")}) is in the future");
        }

        var config = new JsonObject
        {
            [FileDownloadConfig.FileFormat] = fileFormat,
            [FileDownloadConfig.Compression] = input.Compression,
            // PostHog's max_size_mb of 0 means no limit, as an absent one does.
            [FileDownloadConfig.MaxFileSizeMb] = input.MaxSizeMb is > 0 ? input.MaxSizeMb : null,
            // As PostHog stores them; the source applies event lists to the events model only.
            [FileDownloadConfig.IncludeEvents] = new JsonArray((input.Include ?? []).Select(e => (JsonNode?)e).ToArray()),
            [FileDownloadConfig.ExcludeEvents] = new JsonArray((input.Exclude ?? []).Select(e => (JsonNode?)e).ToArray()),
        };
        return (model, config, from, to);
    }

    private static ValidationException Choice(string value, string attr) => new($"\"{value}\" is not a valid choice.", attr, "invalid_choice");

    /// <summary>DRF's DateTimeField: ISO 8601; a naive value is read as UTC.</summary>
    private static DateTimeOffset? ParseDateTime(string? value, string attr)
    {
        if (value == null)
        {
            return null;
        }

        return WireJson.TryParseDateTime(value, out var instant, out _)
            ? instant
            : throw new ValidationException(
                "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].", attr, "invalid");
    }
}
