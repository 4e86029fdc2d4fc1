using System.Text.Json.Nodes;
using BatchExports.Core.Domain;

namespace BatchExports.Core.Services.BatchExports;

/// <summary>An export as the use cases return it: the entity, its decrypted destination config and its newest runs.</summary>
public sealed record BatchExportView(BatchExport Export, JsonObject Config, IReadOnlyList<BatchExportRun> LatestRuns);
