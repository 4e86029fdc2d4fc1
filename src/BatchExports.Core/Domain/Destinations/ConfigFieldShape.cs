namespace BatchExports.Core.Domain.Destinations;

/// <summary>
/// What a config field holds, for the OpenAPI document, where its <see cref="ConfigValueKind"/> does not say it all: the
/// JSON type of a field whose value the destination checks itself (<see cref="ConfigValueKind.Unchecked"/>, PostHog's
/// unions), whether it may be null, its closed set of values and its least value.
/// </summary>
public sealed record ConfigFieldShape(
    ConfigFieldType Type,
    bool Nullable = false,
    IReadOnlyList<string>? Choices = null,
    int? Minimum = null);
