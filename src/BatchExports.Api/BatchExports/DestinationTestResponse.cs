using BatchExports.Core.Services.DestinationTests;

namespace BatchExports.Api.BatchExports;

/// <summary><c>GET …/batch_exports/test/?destination=T</c>.</summary>
public sealed record DestinationTestResponse(IReadOnlyList<TestStep> Steps);
