using System.Text.Json;
using System.Text.Json.Nodes;
using BatchExports.Api.Validation;
using BatchExports.Core.Domain;
using BatchExports.Core.Domain.Destinations;
using BatchExports.Core.Domain.Filters;
using FluentValidation;

namespace BatchExports.Api.BatchExports;

/// <summary>
/// The shape of a create/PUT/PATCH body with PostHog's messages, checked field by field in its serializer's order.
/// Rules that need the stored export (merged configs, the effective interval) live in Core's BatchExportRules.
/// </summary>
public sealed class BatchExportWriteValidator : AbstractValidator<BatchExportWriteRequest>
{
    private static readonly HashSet<string> FilterTypes = ["event", "person", "hogql"];

    private readonly DestinationRegistry _destinations;

    public BatchExportWriteValidator(DestinationRegistry destinations)
    {
        _destinations = destinations;
        ClassLevelCascadeMode = CascadeMode.Stop;

        RuleFor(x => x).Custom((request, context) =>
        {
            var partial = context.IsPartial();
            CheckName(request, context, partial);
            CheckChoice(request, context, "model", request.Model, ExportModels.All, nullable: true, required: false, partial);
            CheckDestination(request, context, partial);
            CheckChoice(request, context, "interval", request.Interval, Intervals.All, nullable: false, required: true, partial);
            if (request.Has("paused") && request.Paused == null)
            {
                context.NotNull("paused");
            }

            CheckHogqlQuery(request, context);
            CheckFilters(request, context);
            CheckTimezone(request, context);
            CheckRange(context, "offset_day", request.OffsetDay, 0, 6);
            CheckRange(context, "offset_hour", request.OffsetHour, 0, 23);
            if (request.StartAt is { } start && request.EndAt is { } end && end < start)
            {
                context.Fail("end_at", "'end_at' must not be before 'start_at'.");
            }
        });
    }

    private static void CheckName(BatchExportWriteRequest request, ValidationContext<BatchExportWriteRequest> context, bool partial)
    {
        if (!request.Has("name"))
        {
            if (!partial)
            {
                context.Required("name");
            }
        }
        else if (request.Name == null)
        {
            context.NotNull("name");
        }
        else if (string.IsNullOrWhiteSpace(request.Name))
        {
            context.NotBlank("name");
        }
    }

    private static void CheckChoice(
        BatchExportWriteRequest request,
        ValidationContext<BatchExportWriteRequest> context,
        string attr,
        string? value,
        IReadOnlyList<string> choices,
        bool nullable,
        bool required,
        bool partial)
    {
        if (!request.Has(attr))
        {
            if (required && !partial)
            {
                context.Required(attr);
            }
        }
        else if (value == null)
        {
            if (!nullable)
            {
                context.NotNull(attr);
            }
        }
        else if (!choices.Contains(value))
        {
            context.InvalidChoice(attr, value);
        }
    }

    private void CheckDestination(BatchExportWriteRequest request, ValidationContext<BatchExportWriteRequest> context, bool partial)
    {
        if (!request.Has("destination"))
        {
            if (!partial)
            {
                context.Required("destination");
            }

            return;
        }

        if (request.Destination is not { } destination)
        {
            context.NotNull("destination");
            return;
        }

        // PostHog's serializer reads destination.type and destination.config on every write, PATCH included.
        if (!destination.Has("type"))
        {
            context.Required("destination__type");
            return;
        }

        if (destination.Type == null)
        {
            context.NotNull("destination__type");
            return;
        }

        var definition = _destinations.Find(destination.Type);
        if (definition == null)
        {
            if (DestinationRegistry.UnsupportedPostHogTypes.Contains(destination.Type))
            {
                context.Fail(
                    "destination__type",
                    $"The '{destination.Type}' destination is not supported by this server yet. Supported destination types are: {_destinations.SupportedTypesText}.",
                    "invalid_choice");
            }
            else
            {
                context.InvalidChoice("destination__type", destination.Type);
            }

            return;
        }

        if (!destination.Has("config"))
        {
            context.Required("destination__config");
            return;
        }

        if (destination.Config == null)
        {
            context.NotNull("destination__config");
            return;
        }

        var integration = destination.Has("integration") ? destination.Integration : destination.IntegrationId;
        if (integration is { } integrationId)
        {
            // Integrations are PostHog-cloud credential records; this server takes credentials inline in config.
            context.Fail("destination__integration", $"Invalid pk \"{integrationId}\" - object does not exist.", "does_not_exist");
            return;
        }

        var (_, error) = destination.CheckShape(definition, partial);
        if (error != null)
        {
            context.Fail("destination__non_field_errors", error);
        }
    }

    private static void CheckHogqlQuery(BatchExportWriteRequest request, ValidationContext<BatchExportWriteRequest> context)
    {
        if (request.ParseHogqlQuery() is { Error: { } error })
        {
            context.Fail("hogql_query", error);
        }
    }

    private static void CheckFilters(BatchExportWriteRequest request, ValidationContext<BatchExportWriteRequest> context)
    {
        var filters = request.Filters;
        if (filters == null || filters.GetValueKind() == JsonValueKind.Null)
        {
            return;
        }

        if (filters is not JsonArray array)
        {
            context.Fail("filters", "'filters' should be an array of filters");
            return;
        }

        foreach (var filter in array)
        {
            if (filter is not JsonObject item)
            {
                context.Fail("filters", "Each filter must be an object");
                return;
            }

            if (item.ContainsKey("data_interval_start") || item.ContainsKey("data_interval_end"))
            {
                context.Fail("filters", "'data_interval_start' and 'data_interval_end' are run attributes and not 'filters'. Trigger a backfill if you wish to manually control which periods to batch export.");
                return;
            }

            if (item["type"] is not JsonValue type || type.GetValueKind() != JsonValueKind.String || !FilterTypes.Contains(type.GetValue<string>()))
            {
                context.Fail("filters", "Each filter must have a 'type' of one of: 'event', 'hogql', 'person'");
                return;
            }

            if (PropertyFilterRules.Check(item) is { } error)
            {
                context.Fail("filters", error);
                return;
            }
        }
    }

    private static void CheckTimezone(BatchExportWriteRequest request, ValidationContext<BatchExportWriteRequest> context)
    {
        if (request.Timezone is { } timezone && !ExportCalendar.IsKnownTimezone(timezone))
        {
            context.InvalidChoice("timezone", timezone);
        }
    }

    private static void CheckRange(ValidationContext<BatchExportWriteRequest> context, string attr, int? value, int min, int max)
    {
        if (value > max)
        {
            context.Fail(attr, $"Ensure this value is less than or equal to {max}.", "max_value");
        }
        else if (value < min)
        {
            context.Fail(attr, $"Ensure this value is greater than or equal to {min}.", "min_value");
        }
    }
}
