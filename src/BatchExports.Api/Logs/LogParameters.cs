using System.Globalization;
using BatchExports.Api.Validation;
using BatchExports.Core.Domain;
using BatchExports.Core.Json;
using BatchExports.Core.Services.Logs;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;

namespace BatchExports.Api.Logs;

/// <summary>Query parameters of the logs endpoints (PostHog's LogEntryMixin).</summary>
public sealed record LogParameters
{
    [FromQuery(Name = "limit")]
    public string? Limit { get; init; }

    [FromQuery(Name = "offset")]
    public string? Offset { get; init; }

    [FromQuery(Name = "after")]
    public string? After { get; init; }

    [FromQuery(Name = "before")]
    public string? Before { get; init; }

    /// <summary>Repeated (<c>?level=ERROR&amp;level=WARNING</c>) or comma-separated (<c>?level=ERROR,WARNING</c>).</summary>
    [FromQuery(Name = "level")]
    public string[]? Level { get; init; }

    [FromQuery(Name = "search")]
    public string? Search { get; init; }

    [FromQuery(Name = "instance_id")]
    public string? InstanceId { get; init; }

    public IReadOnlyList<string> Levels =>
        (Level ?? []).SelectMany(l => l.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(l => l.ToUpperInvariant()).Distinct().ToList();

    public LogQuery ToQuery() => new(
        Limit is { } limit ? int.Parse(limit, CultureInfo.InvariantCulture) : 50,
        Offset is { } offset ? int.Parse(offset, CultureInfo.InvariantCulture) : 0,
        After is { } after && WireJson.TryParseDateTime(after, out var afterValue, out _) ? afterValue : null,
        Before is { } before && WireJson.TryParseDateTime(before, out var beforeValue, out _) ? beforeValue : null,
        Levels,
        string.IsNullOrEmpty(Search) ? null : Search,
        InstanceId);
}

public sealed class LogParametersValidator : AbstractValidator<LogParameters>
{
    public LogParametersValidator()
    {
        RuleFor(x => x).Custom((parameters, context) =>
        {
            if (parameters.Limit is { } limit)
            {
                if (!int.TryParse(limit, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
                {
                    context.Fail("limit", "A valid integer is required.");
                }
                else if (value > 500)
                {
                    context.Fail("limit", "Ensure this value is less than or equal to 500.", "max_value");
                }
                else if (value < 1)
                {
                    context.Fail("limit", "Ensure this value is greater than or equal to 1.", "min_value");
                }
            }

            if (parameters.Offset is { } offset && (!int.TryParse(offset, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                context.Fail("offset", "A valid integer is required.");
            }

            foreach (var (name, value) in new[] { ("after", parameters.After), ("before", parameters.Before) })
            {
                if (value != null && !WireJson.TryParseDateTime(value, out _, out _))
                {
                    context.Fail(name, "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].");
                }
            }

            foreach (var level in parameters.Levels)
            {
                if (!LogLevels.All.Contains(level))
                {
                    context.InvalidChoice("level", level);
                    break;
                }
            }
        });
    }
}
