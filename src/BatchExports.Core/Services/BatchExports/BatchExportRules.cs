using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Core.Domain.Destinations;
using BatchExports.Core.Errors;
using BatchExports.Core.Hosting;
using Microsoft.Extensions.Options;

namespace BatchExports.Core.Services.BatchExports;

/// <summary>
/// The save-time rules that need more than a request's shape (the effective interval, merged destination configs,
/// the fit of model and destination). The shape itself is checked by the Api's request validator before these run;
/// each rule runs once per request.
/// </summary>
public sealed class BatchExportRules(IOptions<BatchExportsOptions> options, DestinationRegistry destinations)
{
    private const string CustomSchemaNeedsEvents = "A custom schema (hogql_query) is only supported when 'model' is 'events'.";
    private const string FiltersNeedEvents = "'filters' are only supported when 'model' is 'events'.";

    /// <summary>A create's (or <c>run_test_step_new</c>'s) input checked and normalised.</summary>
    public BatchExportDraft CheckNew(IBatchExportInput input)
    {
        var model = input.Model ?? ExportModels.Events;
        var interval = input.Interval!;
        RequireIntervalAllowed(interval);
        CheckOffsetsApply(input, interval);
        var definition = destinations.Get(input.Destination!.Type!);
        var config = CheckDestinationConfig(definition, new JsonObject(), input.Destination.CheckShape(definition, partial: false));
        CheckModelFitsDestination(model, definition, hasCustomSchema: input.HogqlQuery != null);
        return new BatchExportDraft(
            definition,
            config,
            model,
            interval,
            ComputeIntervalOffset(input, interval, storedOffset: null, partial: false),
            ParseSchema(input, model),
            CheckFilters(input, model));
    }

    /// <summary>The team a create goes to: the route's, or on the organization route the body's <c>team_id</c>.</summary>
    public static int ResolveCreateTeam(ExportScope scope, IBatchExportInput input)
    {
        if (scope.TeamId is { } teamId)
        {
            return teamId;
        }

        // The organization route: the body names the team, which must belong to that organization.
        if (!input.Has("team_id"))
        {
            throw new ValidationException("This field is required.", "team_id", "required");
        }

        if (input.TeamId is not { } requested)
        {
            throw new ValidationException("This field may not be null.", "team_id", "null");
        }

        return scope.TeamIds.Contains(requested)
            ? requested
            : throw new ValidationException($"Invalid pk \"{requested}\" - object does not exist.", "team_id", "does_not_exist");
    }

    /// <summary>Applies a PUT/PATCH to the tracked <paramref name="export"/>; returns the destination config it now has.</summary>
    public JsonObject ApplyUpdate(BatchExport export, JsonObject storedConfig, IBatchExportInput input, bool partial, Func<JsonObject, byte[]> encrypt, DateTimeOffset now)
    {
        var config = storedConfig;
        var interval = input.Has("interval") ? input.Interval! : export.Interval;
        var model = input.Has("model") ? input.Model ?? ExportModels.Events : export.Model;
        if (interval != export.Interval)
        {
            RequireIntervalAllowed(interval);
        }

        CheckOffsetsApply(input, interval);

        if (input.Destination is { } destination)
        {
            RequireSameType(export.Destination.Type, destination.Type);
            var definition = destinations.Get(export.Destination.Type);
            config = CheckDestinationConfig(definition, KnownKeys(definition, storedConfig), destination.CheckShape(definition, partial));
            export.Destination.ConfigCiphertext = encrypt(config);
            export.Destination.LastUpdatedAt = now;
        }

        var customSchema = input.Has("hogql_query") ? input.HogqlQuery != null : export.Schema != null;
        CheckModelFitsDestination(model, destinations.Get(export.Destination.Type), customSchema);

        if (input.Has("name"))
        {
            export.Name = input.Name!;
        }

        if (input.Has("interval") || input.Has("offset_day") || input.Has("offset_hour"))
        {
            export.IntervalOffset = ComputeIntervalOffset(input, interval, export.IntervalOffset, partial);
        }

        export.Interval = interval;
        export.Model = model;
        if (input.Has("timezone"))
        {
            export.Timezone = input.Timezone ?? "UTC";
        }

        if (input.Has("paused"))
        {
            // PostHog: paused via PUT/PATCH moves the schedule but leaves last_paused_at to the pause action.
            export.Paused = input.Paused!.Value;
        }

        if (input.Has("last_paused_at"))
        {
            export.LastPausedAt = input.LastPausedAt;
        }

        if (input.Has("start_at"))
        {
            export.StartAt = input.StartAt;
        }

        if (input.Has("end_at"))
        {
            export.EndAt = input.EndAt;
        }

        if (input.Has("hogql_query"))
        {
            export.Schema = ParseSchema(input, model);
        }
        else if (export.Schema != null && model != ExportModels.Events)
        {
            throw new ValidationException(CustomSchemaNeedsEvents, "hogql_query");
        }

        if (input.Has("filters"))
        {
            export.Filters = CheckFilters(input, model);
        }
        else if (export.Filters is { Count: > 0 } && model != ExportModels.Events)
        {
            throw new ValidationException(FiltersNeedEvents, "filters");
        }

        CheckScheduleBounds(export);
        export.LastUpdatedAt = now;
        return config;
    }

    /// <summary>
    /// A stored export's destination config with <paramref name="submitted"/> merged over it, checked as on create:
    /// what PostHog's <c>run_test_step</c> tests. The type cannot change.
    /// </summary>
    public JsonObject MergeStoredConfig(BatchExport export, JsonObject storedConfig, IDestinationInput? submitted)
    {
        var type = export.Destination.Type;
        if (submitted?.Type is { } submittedType)
        {
            RequireSameType(type, submittedType);
        }

        var definition = destinations.Get(type);
        var merged = DestinationConfigRules.Merge(KnownKeys(definition, storedConfig), submitted?.Config ?? new JsonObject());
        return CheckDestinationConfig(definition, new JsonObject(), DestinationConfigRules.CheckShape(definition, merged, partial: false));
    }

    public static void CheckScheduleBounds(BatchExport export)
    {
        if (export.StartAt is { } start && export.EndAt is { } end && end < start)
        {
            throw new ValidationException("'end_at' must not be before 'start_at'.", "end_at");
        }
    }

    private static void RequireSameType(string storedType, string? submittedType)
    {
        if (submittedType != storedType)
        {
            throw new ValidationException(
                $"Cannot change destination type from '{storedType}' to '{submittedType}'. Delete this batch export and create a new one with the new destination type.",
                "destination");
        }
    }

    /// <summary>Keys a past version stored that the type no longer declares are dropped before merging (PostHog's schedule sync does the same).</summary>
    private static JsonObject KnownKeys(IDestinationDefinition definition, JsonObject stored)
    {
        var known = definition.Fields.Select(f => f.Name).Concat(DestinationConfigRules.BaseFields.Select(f => f.Name)).ToHashSet();
        return new JsonObject(stored.Where(p => known.Contains(p.Key)).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
    }

    private void RequireIntervalAllowed(string interval)
    {
        if (Intervals.IsSubHourly(interval) && !options.Value.AllowSubHourlyIntervals)
        {
            throw new PermissionDeniedException("Higher frequency batch exports are not enabled for this team.");
        }
    }

    /// <summary>PostHog's field validators: offsets only for the intervals they mean something for (interval from the body, else the stored one).</summary>
    private static void CheckOffsetsApply(IBatchExportInput input, string interval)
    {
        if (input.OffsetDay != null && interval != Intervals.Week)
        {
            throw new ValidationException("offset_day is not applicable for non-weekly intervals", "offset_day");
        }

        if (input.OffsetHour != null && !Intervals.IsCalendar(interval))
        {
            throw new ValidationException("offset_hour is not applicable for non-daily/weekly intervals", "offset_hour");
        }
    }

    /// <summary>
    /// <c>interval_offset</c> in seconds (spec §4.3): day = hour*3600; week = (day or 0)*86400 + (hour or 0)*3600 from
    /// the body alone when <c>interval</c> is in it (so a PUT never inherits stored offsets); other intervals none.
    /// Offsets not sent leave a PATCH's stored value and clear a POST/PUT's. PostHog ignores offsets a PATCH sends
    /// without <c>interval</c>; we apply them, and only there does the offset not sent keep its stored value.
    /// </summary>
    private static int? ComputeIntervalOffset(IBatchExportInput input, string interval, int? storedOffset, bool partial)
    {
        var hourSent = input.Has("offset_hour");
        var daySent = input.Has("offset_day");
        var keepStored = !input.Has("interval") ? storedOffset ?? 0 : 0;
        return interval switch
        {
            Intervals.Day when hourSent => input.OffsetHour * 3600,
            Intervals.Week when hourSent || daySent => (daySent ? input.OffsetDay ?? 0 : keepStored / 86400) * 86400
                + (hourSent ? input.OffsetHour ?? 0 : keepStored / 3600 % 24) * 3600,
            Intervals.Day or Intervals.Week => partial ? storedOffset : null,
            _ => null,
        };
    }

    /// <summary>The submitted config (already shape-checked and cast) merged over <paramref name="stored"/>, with the per-type rules.</summary>
    private static JsonObject CheckDestinationConfig(IDestinationDefinition definition, JsonObject stored, (JsonObject Config, string? Error) shape)
    {
        if (shape.Error != null)
        {
            throw new ValidationException(shape.Error, "destination__non_field_errors");
        }

        var (merged, error) = definition.CheckConfig(DestinationConfigRules.Merge(stored, shape.Config));
        return error == null ? merged : throw new ValidationException(error, "destination");
    }

    private static void CheckModelFitsDestination(string model, IDestinationDefinition definition, bool hasCustomSchema)
    {
        if (definition.CheckModelFit(model, hasCustomSchema) is { } violation)
        {
            throw new ValidationException(violation.Message, violation.Attr);
        }
    }

    private static JsonObject? ParseSchema(IBatchExportInput input, string model)
    {
        if (input.ParseHogqlQuery() is not { } parse)
        {
            return null;
        }

        if (model != ExportModels.Events)
        {
            throw new ValidationException(CustomSchemaNeedsEvents, "hogql_query");
        }

        return parse.Schema?.ToJson() ?? throw new ValidationException(parse.Error!, "hogql_query");
    }

    private static JsonArray? CheckFilters(IBatchExportInput input, string model)
    {
        if (input.Filters is not JsonArray filters)
        {
            return null;
        }

        if (filters.Count > 0 && model != ExportModels.Events)
        {
            throw new ValidationException(FiltersNeedEvents, "filters");
        }

        return (JsonArray)filters.DeepClone();
    }
}
