using System.Net;
using System.Text.Json.Nodes;
using static BatchExports.Testing.BatchExportsOperations;

namespace BatchExports.Testing;

/// <summary>PostHog's <c>operations.py</c> for runs, backfills and logs, over real HTTP.</summary>
public static class RunsAndBackfillsOperations
{
    public static string RunsPath(int teamId, object exportId) => $"{ExportsPath(teamId)}/{exportId}/runs";

    public static string BackfillsPath(int teamId, object exportId) => $"{ExportsPath(teamId)}/{exportId}/backfills";

    public static string LogsPath(int teamId, object exportId) => $"{ExportsPath(teamId)}/{exportId}/logs";

    public static Task<ApiResponse> ListRunsAsync(this ApiClient client, int teamId, object exportId, string query = "") =>
        client.GetAsync($"{RunsPath(teamId, exportId)}/{query}");

    public static Task<ApiResponse> GetRunAsync(this ApiClient client, int teamId, object exportId, object runId) =>
        client.GetAsync($"{RunsPath(teamId, exportId)}/{runId}/");

    public static Task<ApiResponse> CancelRunAsync(this ApiClient client, int teamId, object exportId, object runId) =>
        client.PostAsync($"{RunsPath(teamId, exportId)}/{runId}/cancel/");

    public static Task<ApiResponse> RetryRunAsync(this ApiClient client, int teamId, object exportId, object runId) =>
        client.PostAsync($"{RunsPath(teamId, exportId)}/{runId}/retry/");

    public static Task<ApiResponse> RunLogsAsync(this ApiClient client, int teamId, object exportId, object runId, string query = "") =>
        client.GetAsync($"{RunsPath(teamId, exportId)}/{runId}/logs/{query}");

    public static Task<ApiResponse> ExportLogsAsync(this ApiClient client, int teamId, object exportId, string query = "") =>
        client.GetAsync($"{LogsPath(teamId, exportId)}/{query}");

    public static Task<ApiResponse> CreateBackfillAsync(this ApiClient client, int teamId, object exportId, string? startAt, string? endAt) =>
        client.PostAsync($"{BackfillsPath(teamId, exportId)}/", new JsonObject { ["start_at"] = startAt, ["end_at"] = endAt });

    public static async Task<JsonNode> CreateBackfillOkAsync(this ApiClient client, int teamId, object exportId, string? startAt, string? endAt) =>
        (await client.CreateBackfillAsync(teamId, exportId, startAt, endAt)).Expect(HttpStatusCode.Created);

    public static Task<ApiResponse> ListBackfillsAsync(this ApiClient client, int teamId, object exportId, string query = "") =>
        client.GetAsync($"{BackfillsPath(teamId, exportId)}/{query}");

    public static Task<ApiResponse> GetBackfillAsync(this ApiClient client, int teamId, object exportId, object backfillId) =>
        client.GetAsync($"{BackfillsPath(teamId, exportId)}/{backfillId}/");

    public static Task<ApiResponse> CancelBackfillAsync(this ApiClient client, int teamId, object exportId, object backfillId) =>
        client.PostAsync($"{BackfillsPath(teamId, exportId)}/{backfillId}/cancel/");

    /// <summary>The deprecated <c>POST …/batch_exports/{id}/backfill/</c> (old operations.py).</summary>
    public static Task<ApiResponse> DeprecatedBackfillAsync(this ApiClient client, string exportsPath, object exportId, string? startAt, string? endAt) =>
        client.PostAsync($"{exportsPath}/{exportId}/backfill/", new JsonObject { ["start_at"] = startAt, ["end_at"] = endAt });

    /// <summary>Follows <c>next</c> links from <paramref name="firstPath"/>, collecting every page's results.</summary>
    public static async Task<List<JsonNode>> ReadAllPagesAsync(this ApiClient client, string firstPath, int maxPages = 100)
    {
        var results = new List<JsonNode>();
        var path = firstPath;
        for (var pages = 0; path != null; pages++)
        {
            if (pages == maxPages)
            {
                throw new Xunit.Sdk.XunitException($"More than {maxPages} pages from {firstPath}.");
            }

            var page = (await client.GetAsync(path)).Expect(HttpStatusCode.OK);
            results.AddRange(page["results"]!.AsArray().Select(r => r!));
            path = (string?)page["next"] is { } next ? new Uri(next).PathAndQuery : null;
        }

        return results;
    }

    public static string Iso(DateTimeOffset value) => value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", System.Globalization.CultureInfo.InvariantCulture);
}
