using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Core.Domain.Destinations;
using Microsoft.OpenApi;

namespace BatchExports.Api.OpenApi;

/// <summary>The closed sets of the wire, as component schemas named as PostHog names them (<c>IntervalEnum</c>, …).</summary>
public static class EnumSchemas
{
    public const string Interval = "IntervalEnum";
    public const string Model = "ModelEnum";
    public const string RunStatus = "BatchExportRunStatusEnum";
    public const string BackfillStatus = "BatchExportBackfillStatusEnum";
    public const string DestinationType = "BatchExportDestinationTypeEnum";
    public const string LogLevel = "LogLevelEnum";
    public const string FileFormat = "FileFormatEnum";
    public const string Compression = "CompressionEnum";
    public const string ErrorType = "ErrorTypeEnum";
    public const string ErrorCode = "ErrorCodeEnum";
    public const string TestStepStatus = "TestStepStatusEnum";

    /// <summary>PostHog's <c>type</c> values of drf-exceptions-hog (api spec §4.1).</summary>
    public static readonly IReadOnlyList<string> ErrorTypes =
        ["validation_error", "authentication_error", "invalid_request", "throttled_error", "server_error"];

    /// <summary>Every <c>code</c> this server sends: DRF's field codes, then the request- and server-level ones.</summary>
    public static readonly IReadOnlyList<string> ErrorCodes =
    [
        "invalid_input", "invalid", "required", "null", "blank", "invalid_choice", "min_value", "max_value", "max_length",
        "does_not_exist", "parse_error", "bad_request", "not_found", "method_not_allowed", "unsupported_media_type",
        "payload_too_large", "not_authenticated", "authentication_failed", "permission_denied", "throttled",
        "too_many_concurrent_backfills", "too_many_concurrent_file_downloads", "service_unavailable", "error", "not_ready",
    ];

    public static IReadOnlyDictionary<string, OpenApiSchema> All(DestinationRegistry destinations) => new Dictionary<string, OpenApiSchema>
    {
        [Interval] = Create(Intervals.All, "How often the export runs."),
        [Model] = Create(ExportModels.All, "Which model the export exports."),
        [RunStatus] = Create(RunStatuses.All, "The status of a run."),
        [BackfillStatus] = Create(
            [RunStatuses.Cancelled, RunStatuses.Completed, RunStatuses.ContinuedAsNew, RunStatuses.Failed, RunStatuses.FailedRetryable,
             RunStatuses.Terminated, RunStatuses.TimedOut, RunStatuses.Running, RunStatuses.Starting],
            "The status of a backfill."),
        [DestinationType] = Create(destinations.SupportedTypes, "The destination types this server runs."),
        [LogLevel] = Create(LogLevels.All, "The level of a log entry."),
        [FileFormat] = Create(ExportFileFormats.All, "The format of exported files."),
        [Compression] = Create(ExportFileFormats.AllCompressions, "JSONLines: gzip, brotli. Parquet: zstd, lz4, snappy, gzip, brotli."),
        [ErrorType] = Create(ErrorTypes, "The kind of error."),
        [ErrorCode] = Create(ErrorCodes, "What went wrong, as a stable code."),
        [TestStepStatus] = Create(["Passed", "Failed", "Skipped"], "The outcome of a destination test step."),
    };

    private static OpenApiSchema Create(IEnumerable<string> values, string description) => new()
    {
        Type = JsonSchemaType.String,
        Description = description,
        Enum = values.Select(v => (JsonNode)JsonValue.Create(v)).ToList(),
    };
}
