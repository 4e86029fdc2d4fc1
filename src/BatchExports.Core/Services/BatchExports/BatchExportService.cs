using System.Text.Json.Nodes;
using BatchExports.Core.Contracts;
using BatchExports.Core.Domain;
using BatchExports.Core.Domain.Schemas;
using BatchExports.Core.Domain.Destinations;
using BatchExports.Core.Errors;
using BatchExports.Core.Hosting;
using BatchExports.Core.Orchestration;
using BatchExports.Core.Persistence;
using BatchExports.Core.Security;
using BatchExports.Core.Services.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BatchExports.Core.Services.BatchExports;

/// <summary>
/// Create, read, update and delete batch exports. Shape rules are checked by the request validator before this runs;
/// the rules here need the stored export (PATCH merges, the effective interval, the destination type).
/// </summary>
public sealed class BatchExportService(
    BatchExportsDbContext db,
    ConfigCipher cipher,
    IExportOrchestrator orchestrator,
    TimeProvider clock,
    IOptions<BatchExportsOptions> options)
{
    private const int LatestRunsCount = 10;

    public async Task<(int Count, IReadOnlyList<BatchExportResponse> Results)> ListAsync(
        ExportScope scope, int limit, int offset, CancellationToken cancellationToken)
    {
        var query = Visible(scope).OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id);
        var count = await query.CountAsync(cancellationToken);
        var exports = await query.Skip(offset).Take(limit).Include(e => e.Destination).AsNoTracking().ToListAsync(cancellationToken);
        return (count, await ToResponsesAsync(exports, cancellationToken));
    }

    public async Task<BatchExportResponse> GetAsync(ExportScope scope, string rawId, CancellationToken cancellationToken) =>
        await ToResponseAsync(await FindAsync(scope, rawId, tracked: false, cancellationToken), cancellationToken);

    public async Task<BatchExportResponse> CreateAsync(ExportScope scope, BatchExportWriteRequest request, CancellationToken cancellationToken)
    {
        var teamId = ResolveCreateTeam(scope, request);
        var now = clock.GetUtcNow();
        var config = CheckDraft(request);
        var model = request.Model ?? ExportModels.Events;
        var interval = request.Interval!;
        var definition = DestinationCatalog.Get(request.Destination!.Type!);

        var export = new BatchExport
        {
            Id = Guid.CreateVersion7(),
            TeamId = teamId,
            Name = request.Name!,
            Model = model,
            Interval = interval,
            Paused = request.Paused ?? false,
            CreatedAt = now,
            LastUpdatedAt = now,
            LastPausedAt = request.LastPausedAt,
            StartAt = request.StartAt,
            EndAt = request.EndAt,
            Timezone = request.Timezone ?? "UTC",
            IntervalOffset = ComputeIntervalOffset(request, interval, storedOffset: null, partial: false),
            Schema = request.HogqlQuery is { } query ? ParseSchema(query, model) : null,
            Filters = CheckFilters(request, model),
        };
        CheckScheduleBounds(export);
        var destination = new BatchExportDestination
        {
            Id = Guid.CreateVersion7(),
            Type = definition.Type,
            IntegrationId = null,
            CreatedAt = now,
            LastUpdatedAt = now,
        };
        destination.ConfigCiphertext = cipher.Encrypt(config, destination.Id);
        export.Destination = destination;
        export.DestinationId = destination.Id;

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.BatchExports.Add(export);
        await db.SaveChangesAsync(cancellationToken);
        await orchestrator.ExportSavedAsync(export, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        return BatchExportMapping.ToResponse(export, config, []);
    }

    /// <summary>
    /// The create-time rules that need more than the request's shape (effective interval, merged destination config,
    /// model and destination fit); returns the normalised destination config. Used by create and by destination tests.
    /// </summary>
    public JsonObject CheckDraft(BatchExportWriteRequest request)
    {
        var model = request.Model ?? ExportModels.Events;
        var interval = request.Interval!;
        RequireIntervalAllowed(interval);
        CheckOffsetsApply(request, interval);
        var definition = DestinationCatalog.Get(request.Destination!.Type!);
        var config = CheckDestinationConfig(definition, new JsonObject(), request.Destination.Config!, partial: false);
        CheckModelFitsDestination(model, definition.Type, hasCustomSchema: request.HogqlQuery != null);
        if (request.HogqlQuery is { } query)
        {
            ParseSchema(query, model);
        }

        CheckFilters(request, model);
        return config;
    }

    /// <summary>
    /// A stored export's destination config with <paramref name="submitted"/> merged over it, checked as on create:
    /// what PostHog's <c>run_test_step</c> tests. The type cannot change.
    /// </summary>
    public async Task<(string Type, JsonObject Config)> MergeStoredConfigAsync(
        ExportScope scope, string rawId, DestinationWriteRequest? submitted, CancellationToken cancellationToken)
    {
        var export = await FindAsync(scope, rawId, tracked: false, cancellationToken);
        var type = export.Destination.Type;
        if (submitted?.Type is { } submittedType && submittedType != type)
        {
            throw ApiException.Validation(
                $"Cannot change destination type from '{type}' to '{submittedType}'. Delete this batch export and create a new one with the new destination type.",
                "destination");
        }

        var definition = DestinationCatalog.Get(type);
        var known = definition.Fields.Select(f => f.Name).Concat(DestinationCatalog.BaseFields.Select(f => f.Name)).ToHashSet();
        var stored = DecryptConfig(export);
        var storedKnown = new JsonObject(stored.Where(p => known.Contains(p.Key)).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        var merged = DestinationConfigRules.Merge(storedKnown, submitted?.Config ?? new JsonObject());
        return (type, CheckDestinationConfig(definition, new JsonObject(), merged, partial: false));
    }

    public async Task<BatchExportResponse> UpdateAsync(
        ExportScope scope, string rawId, BatchExportWriteRequest request, bool partial, CancellationToken cancellationToken)
    {
        var export = await FindAsync(scope, rawId, tracked: true, cancellationToken);
        var now = clock.GetUtcNow();
        var storedConfig = cipher.Decrypt(export.Destination.ConfigCiphertext, export.Destination.Id);
        var config = storedConfig;

        var interval = request.Has("interval") ? request.Interval! : export.Interval;
        var model = request.Has("model") ? request.Model ?? ExportModels.Events : export.Model;
        if (interval != export.Interval)
        {
            RequireIntervalAllowed(interval);
        }

        CheckOffsetsApply(request, interval);

        if (request.Destination is { } destinationRequest)
        {
            if (destinationRequest.Type != export.Destination.Type)
            {
                throw ApiException.Validation(
                    $"Cannot change destination type from '{export.Destination.Type}' to '{destinationRequest.Type}'. Delete this batch export and create a new one with the new destination type.",
                    "destination");
            }

            // Keys a past version stored that the type no longer declares are dropped before merging (PostHog's schedule sync does the same).
            var definition = DestinationCatalog.Get(export.Destination.Type);
            var known = definition.Fields.Select(f => f.Name).Concat(DestinationCatalog.BaseFields.Select(f => f.Name)).ToHashSet();
            var storedKnown = new JsonObject(storedConfig.Where(p => known.Contains(p.Key)).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
            config = CheckDestinationConfig(definition, storedKnown, destinationRequest.Config!, partial);
            export.Destination.ConfigCiphertext = cipher.Encrypt(config, export.Destination.Id);
            export.Destination.LastUpdatedAt = now;
        }

        var customSchema = request.Has("hogql_query") ? request.HogqlQuery != null : export.Schema != null;
        CheckModelFitsDestination(model, export.Destination.Type, customSchema);

        if (request.Has("name"))
        {
            export.Name = request.Name!;
        }

        if (request.Has("interval") || request.Has("offset_day") || request.Has("offset_hour"))
        {
            export.IntervalOffset = ComputeIntervalOffset(request, interval, export.IntervalOffset, partial);
        }

        export.Interval = interval;
        export.Model = model;
        if (request.Has("timezone"))
        {
            export.Timezone = request.Timezone ?? "UTC";
        }

        if (request.Has("paused"))
        {
            // PostHog: paused via PUT/PATCH moves the schedule but leaves last_paused_at to the pause action.
            export.Paused = request.Paused!.Value;
        }

        if (request.Has("last_paused_at"))
        {
            export.LastPausedAt = request.LastPausedAt;
        }

        if (request.Has("start_at"))
        {
            export.StartAt = request.StartAt;
        }

        if (request.Has("end_at"))
        {
            export.EndAt = request.EndAt;
        }

        if (request.Has("hogql_query"))
        {
            export.Schema = request.HogqlQuery is { } query ? ParseSchema(query, model) : null;
        }
        else if (export.Schema != null && model != ExportModels.Events)
        {
            throw ApiException.Validation("A custom schema (hogql_query) is only supported when 'model' is 'events'.", "hogql_query");
        }

        if (request.Has("filters"))
        {
            export.Filters = CheckFilters(request, model);
        }
        else if (export.Filters is { Count: > 0 } && model != ExportModels.Events)
        {
            throw ApiException.Validation("'filters' are only supported when 'model' is 'events'.", "filters");
        }

        CheckScheduleBounds(export);
        export.LastUpdatedAt = now;

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await orchestrator.ExportSavedAsync(export, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        return await ToResponseAsync(export, config, cancellationToken);
    }

    public async Task DeleteAsync(ExportScope scope, string rawId, CancellationToken cancellationToken)
    {
        var export = await FindAsync(scope, rawId, tracked: true, cancellationToken);
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        export.Deleted = true;
        export.LastUpdatedAt = now;

        // As PostHog's delete: running backfills and runs stop with the export.
        var backfills = await db.BatchExportBackfills
            .Where(b => b.BatchExportId == export.Id && (b.Status == BackfillStatuses.Starting || b.Status == BackfillStatuses.Running))
            .ToListAsync(cancellationToken);
        var runs = await db.BatchExportRuns
            .Where(r => r.BatchExportId == export.Id && (r.Status == RunStatuses.Starting || r.Status == RunStatuses.Running))
            .ToListAsync(cancellationToken);
        backfills.ForEach(b => RunCancellation.MarkBackfillCancelled(b, now));
        runs.ForEach(r => RunCancellation.MarkCancelled(r, now));

        await orchestrator.ExportDeletedAsync(export, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var backfill in backfills)
        {
            await orchestrator.BackfillCancelledAsync(backfill, cancellationToken);
        }

        foreach (var run in runs)
        {
            await orchestrator.RunCancelledAsync(run, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// PostHog's pause: a no-op (and <c>last_updated_at</c> untouched) when already paused; otherwise the schedule is
    /// paused and <c>last_paused_at</c> set. Returns the export as it now is.
    /// </summary>
    public async Task<BatchExport> PauseAsync(ExportScope scope, string rawId, CancellationToken cancellationToken)
    {
        var export = await FindAsync(scope, rawId, tracked: true, cancellationToken);
        if (export.Paused)
        {
            return export;
        }

        var now = clock.GetUtcNow();
        export.Paused = true;
        export.LastPausedAt = now;
        export.LastUpdatedAt = now;
        await SaveWithScheduleAsync(export, cancellationToken);
        return export;
    }

    /// <summary>PostHog's unpause: a no-op when not paused. Returns the export and whether it was unpaused.</summary>
    public async Task<(BatchExport Export, bool Changed)> UnpauseAsync(ExportScope scope, string rawId, CancellationToken cancellationToken)
    {
        var export = await FindAsync(scope, rawId, tracked: true, cancellationToken);
        if (!export.Paused)
        {
            return (export, false);
        }

        export.Paused = false;
        export.LastUpdatedAt = clock.GetUtcNow();
        await SaveWithScheduleAsync(export, cancellationToken);
        return (export, true);
    }

    /// <summary>The export a detail route names, within <paramref name="scope"/> and not deleted; else 404.</summary>
    public async Task<BatchExport> FindAsync(ExportScope scope, string rawId, bool tracked, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(rawId, out var id))
        {
            throw ApiException.NotFound();
        }

        var query = Visible(scope).Include(e => e.Destination).Where(e => e.Id == id);
        return await (tracked ? query : query.AsNoTracking()).SingleOrDefaultAsync(cancellationToken) ?? throw ApiException.NotFound();
    }

    public JsonObject DecryptConfig(BatchExport export) => cipher.Decrypt(export.Destination.ConfigCiphertext, export.Destination.Id);

    public async Task<BatchExportResponse> ToResponseAsync(BatchExport export, CancellationToken cancellationToken) =>
        await ToResponseAsync(export, DecryptConfig(export), cancellationToken);

    private async Task<BatchExportResponse> ToResponseAsync(BatchExport export, JsonObject config, CancellationToken cancellationToken)
    {
        var runs = await db.BatchExportRuns.AsNoTracking()
            .Where(r => r.BatchExportId == export.Id)
            .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id)
            .Take(LatestRunsCount)
            .ToListAsync(cancellationToken);
        return BatchExportMapping.ToResponse(export, config, runs);
    }

    private async Task<IReadOnlyList<BatchExportResponse>> ToResponsesAsync(IReadOnlyList<BatchExport> exports, CancellationToken cancellationToken)
    {
        var ids = exports.Select(e => e.Id).ToList();
        // One query for every export's newest runs (a lateral join), not one per export.
        var runs = await db.BatchExports.AsNoTracking()
            .Where(e => ids.Contains(e.Id))
            .SelectMany(e => db.BatchExportRuns
                .Where(r => r.BatchExportId == e.Id)
                .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id)
                .Take(LatestRunsCount))
            .ToListAsync(cancellationToken);
        var byExport = runs.ToLookup(r => r.BatchExportId);
        return exports.Select(e => BatchExportMapping.ToResponse(
                e,
                DecryptConfig(e),
                byExport[e.Id].OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).ToList()))
            .ToList();
    }

    private async Task SaveWithScheduleAsync(BatchExport export, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await orchestrator.ExportSavedAsync(export, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private IQueryable<BatchExport> Visible(ExportScope scope)
    {
        var teamIds = scope.TeamIds.ToList();
        return db.BatchExports.Where(e => teamIds.Contains(e.TeamId) && !e.Deleted);
    }

    private static int ResolveCreateTeam(ExportScope scope, BatchExportWriteRequest request)
    {
        if (scope.TeamId is { } teamId)
        {
            return teamId;
        }

        // The organization route: the body names the team, which must belong to that organization.
        if (!request.Has("team_id"))
        {
            throw ApiException.Validation("This field is required.", "team_id", "required");
        }

        if (request.TeamId is not { } requested)
        {
            throw ApiException.Validation("This field may not be null.", "team_id", "null");
        }

        return scope.TeamIds.Contains(requested)
            ? requested
            : throw ApiException.Validation($"Invalid pk \"{requested}\" - object does not exist.", "team_id", "does_not_exist");
    }

    private void RequireIntervalAllowed(string interval)
    {
        if (Intervals.IsSubHourly(interval) && !options.Value.AllowSubHourlyIntervals)
        {
            throw ApiException.PermissionDenied("Higher frequency batch exports are not enabled for this team.");
        }
    }

    /// <summary>PostHog's field validators: offsets only for the intervals they mean something for (interval from the body, else the stored one).</summary>
    private static void CheckOffsetsApply(BatchExportWriteRequest request, string interval)
    {
        if (request.OffsetDay != null && interval != Intervals.Week)
        {
            throw ApiException.Validation("offset_day is not applicable for non-weekly intervals", "offset_day");
        }

        if (request.OffsetHour != null && !Intervals.IsCalendar(interval))
        {
            throw ApiException.Validation("offset_hour is not applicable for non-daily/weekly intervals", "offset_hour");
        }
    }

    /// <summary>
    /// <c>interval_offset</c> in seconds (spec §4.3): day = hour*3600; week = day*86400 + hour*3600; other intervals none.
    /// Offsets not sent leave a PATCH's stored value and clear a POST/PUT's.
    /// </summary>
    private static int? ComputeIntervalOffset(BatchExportWriteRequest request, string interval, int? storedOffset, bool partial)
    {
        var hourSent = request.Has("offset_hour");
        var daySent = request.Has("offset_day");
        return interval switch
        {
            Intervals.Day when hourSent => request.OffsetHour * 3600,
            Intervals.Week when hourSent || daySent => (daySent ? request.OffsetDay ?? 0 : (storedOffset ?? 0) / 86400) * 86400
                + (hourSent ? request.OffsetHour ?? 0 : (storedOffset ?? 0) / 3600 % 24) * 3600,
            Intervals.Day or Intervals.Week => partial ? storedOffset : null,
            _ => null,
        };
    }

    private JsonObject CheckDestinationConfig(DestinationDefinition definition, JsonObject stored, JsonObject submitted, bool partial)
    {
        var (cast, shapeError) = DestinationConfigRules.CheckShape(definition, submitted, partial);
        if (shapeError != null)
        {
            throw ApiException.Validation(shapeError, "destination__non_field_errors");
        }

        var (merged, error) = DestinationConfigRules.CheckMerged(
            definition.Type, DestinationConfigRules.Merge(stored, cast), options.Value.AllowedHttpDestinationUrls);
        return error == null ? merged : throw ApiException.Validation(error, "destination");
    }

    private static void CheckModelFitsDestination(string model, string destinationType, bool hasCustomSchema)
    {
        if (destinationType == DestinationCatalog.Http && model != ExportModels.Events)
        {
            throw ApiException.Validation("HTTP batch exports only support the events model");
        }

        // PostHog's capture endpoint takes events as they are; a custom column set cannot be sent there.
        if (destinationType == DestinationCatalog.Http && hasCustomSchema)
        {
            throw ApiException.Validation("HTTP batch exports do not support a custom schema (hogql_query).", "hogql_query");
        }
    }

    private static JsonObject ParseSchema(string query, string model)
    {
        if (model != ExportModels.Events)
        {
            throw ApiException.Validation("A custom schema (hogql_query) is only supported when 'model' is 'events'.", "hogql_query");
        }

        try
        {
            return HogQLSelectParser.Parse(query).ToJson();
        }
        catch (HogQLQueryException exception)
        {
            throw ApiException.Validation(exception.Message, "hogql_query");
        }
    }

    private static JsonArray? CheckFilters(BatchExportWriteRequest request, string model)
    {
        if (request.Filters is not JsonArray filters)
        {
            return null;
        }

        if (filters.Count > 0 && model != ExportModels.Events)
        {
            throw ApiException.Validation("'filters' are only supported when 'model' is 'events'.", "filters");
        }

        return (JsonArray)filters.DeepClone();
    }

    private static void CheckScheduleBounds(BatchExport export)
    {
        if (export.StartAt is { } start && export.EndAt is { } end && end < start)
        {
            throw ApiException.Validation("'end_at' must not be before 'start_at'.", "end_at");
        }
    }
}
