namespace BatchExports.Api.OpenApi;

/// <summary>
/// Component schema names as PostHog publishes them, so a client generated from PostHog's schema and one generated
/// from ours name the same things alike. Matched on the C# type's simple name: the wire records may move between
/// namespaces without the document changing.
/// </summary>
public static class SchemaNames
{
    public const string BatchExport = "BatchExport";
    public const string BatchExportRequest = "BatchExportRequest";
    public const string PatchedBatchExport = "PatchedBatchExport";
    public const string DestinationWrite = "BatchExportDestinationRequest";
    public const string Error = "Error";

    private static readonly Dictionary<string, string> Names = new()
    {
        ["BatchExportResponse"] = BatchExport,
        ["BatchExportWriteRequest"] = BatchExportRequest,
        ["DestinationResponse"] = "BatchExportDestination",
        ["DestinationWriteRequest"] = DestinationWrite,
        ["BatchExportRunResponse"] = "BatchExportRun",
        ["BackfillResponse"] = "BatchExportBackfill",
        ["BackfillCreatedResponse"] = "BatchExportBackfillCreated",
        ["BackfillCreateRequest"] = "BatchExportBackfillRequest",
        ["BackfillProgress"] = "BatchExportBackfillProgress",
        ["BackfillIdResponse"] = "BatchExportBackfillId",
        ["PausedResponse"] = "BatchExportPaused",
        ["UnpauseRequest"] = "BatchExportUnpauseRequest",
        ["CancelledResponse"] = "Cancelled",
        ["LogEntryResponse"] = "LogEntry",
        ["DestinationTestResponse"] = "BatchExportDestinationTest",
        ["TestStep"] = "BatchExportDestinationTestStep",
        ["StepResult"] = "BatchExportDestinationTestStepResult",
        ["DestinationTestStepRequest"] = "BatchExportRunTestStepNewRequest",
        ["StoredDestinationTestStepRequest"] = "BatchExportRunTestStepRequest",
        ["ProjectResponse"] = "Project",
        ["OrganizationResponse"] = "Organization",
        ["ProjectSummary"] = "ProjectBasic",
        ["ErrorEnvelope"] = Error,
    };

    /// <summary>DRF's names for pages: <c>PaginatedBatchExportList</c>, <c>PaginatedBatchExportRunList</c>, …</summary>
    public static string For(Type type)
    {
        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition().Name;
            var item = For(type.GetGenericArguments()[0]);
            if (definition.StartsWith("Page`", StringComparison.Ordinal) || definition.StartsWith("CursorPage`", StringComparison.Ordinal))
            {
                return $"Paginated{item}List";
            }

            return definition[..definition.IndexOf('`')] + item;
        }

        return Names.TryGetValue(type.Name, out var name) ? name : type.Name;
    }

    /// <summary>Wire records the server always writes whole: every property is present, null or not.</summary>
    public static bool IsResponse(Type type) =>
        type.Name.EndsWith("Response", StringComparison.Ordinal)
        || type.Name is "BackfillProgress" or "ProjectSummary" or "TestStep" or "StepResult" or "ErrorEnvelope"
        || (type.IsGenericType && type.GetGenericTypeDefinition().Name is "Page`1" or "CursorPage`1");
}
