using BatchExports.Api.Validation;
using BatchExports.Core.Domain;
using BatchExports.Core.Services.Paging;
using BatchExports.Core.Services.Runs;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;

namespace BatchExports.Api.Runs;

/// <summary>Query parameters of <c>GET …/runs/</c> (spec §1.3).</summary>
public sealed record RunListParameters
{
    /// <summary>What <c>ordering</c> may name; anything else falls back to <c>-created_at</c>, as PostHog.</summary>
    public static readonly IReadOnlyList<string> Orderings = ["created_at", "-created_at", "data_interval_start", "-data_interval_start"];

    [FromQuery(Name = "ordering")]
    public string? Ordering { get; init; }

    [FromQuery(Name = "after")]
    public string? After { get; init; }

    [FromQuery(Name = "before")]
    public string? Before { get; init; }

    [FromQuery(Name = "start")]
    public string? Start { get; init; }

    [FromQuery(Name = "end")]
    public string? End { get; init; }

    /// <summary>Repeat to match several: <c>?status=Failed&amp;status=FailedRetryable</c>.</summary>
    [FromQuery(Name = "status")]
    public string[]? Status { get; init; }

    [FromQuery(Name = "cursor")]
    public string? Cursor { get; init; }

    public RunListQuery ToQuery(DateTimeOffset now) => new(
        RequestedOrdering.Resolve(Ordering, Orderings, "-created_at"),
        Date(After, now),
        Date(Before, now),
        Date(Start, now),
        Date(End, now),
        Status ?? [],
        Cursor);

    private static DateTimeOffset? Date(string? text, DateTimeOffset now) => RelativeDates.TryParse(text, now, out var value) ? value : null;
}

public sealed class RunListParametersValidator : AbstractValidator<RunListParameters>
{
    public RunListParametersValidator()
    {
        RuleFor(x => x).Custom((parameters, context) =>
        {
            foreach (var status in parameters.Status ?? [])
            {
                if (!RunStatuses.All.Contains(status))
                {
                    context.InvalidChoice("status", status);
                    return;
                }
            }

            foreach (var (name, value) in new[] { ("after", parameters.After), ("before", parameters.Before), ("start", parameters.Start), ("end", parameters.End) })
            {
                if (value != null && !RelativeDates.TryParse(value, DateTimeOffset.UtcNow, out _))
                {
                    context.Fail(name, $"Invalid date: '{value}'. Use an ISO datetime or a relative date such as -7d.");
                    return;
                }
            }
        });
    }
}
