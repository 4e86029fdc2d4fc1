using System.Net;
using System.Text.Json.Nodes;

namespace BatchExports.Testing;

/// <summary>PostHog's test <c>operations.py</c>, over real HTTP: one method per API operation, plus <c>…OkAsync</c> that asserts success.</summary>
public static class BatchExportsOperations
{
    public static string ExportsPath(int teamId) => $"/api/projects/{teamId}/batch_exports";

    public static JsonObject S3Destination(string bucket = "my-bucket", string prefix = "exports/", string? endpoint = null) => new()
    {
        ["type"] = "S3",
        ["config"] = new JsonObject
        {
            ["bucket_name"] = bucket,
            ["region"] = "us-east-1",
            ["prefix"] = prefix,
            ["aws_access_key_id"] = "AKIAEXAMPLE",
            ["aws_secret_access_key"] = "super-secret-value",
            ["endpoint_url"] = endpoint,
        },
    };

    public static JsonObject NoOpDestination() => new() { ["type"] = "NoOp", ["config"] = new JsonObject() };

    public static JsonObject ExportBody(JsonObject? destination = null, string interval = "hour", string name = "my export") => new()
    {
        ["name"] = name,
        ["destination"] = destination ?? S3Destination(),
        ["interval"] = interval,
    };

    public static Task<ApiResponse> CreateExportAsync(this ApiClient client, int teamId, JsonObject body) =>
        client.PostAsync($"{ExportsPath(teamId)}/", body);

    public static async Task<JsonNode> CreateExportOkAsync(this ApiClient client, int teamId, JsonObject? body = null) =>
        (await client.CreateExportAsync(teamId, body ?? ExportBody())).Expect(HttpStatusCode.Created);

    public static Task<ApiResponse> GetExportAsync(this ApiClient client, int teamId, string id) =>
        client.GetAsync($"{ExportsPath(teamId)}/{id}/");

    public static Task<ApiResponse> ListExportsAsync(this ApiClient client, int teamId) => client.GetAsync($"{ExportsPath(teamId)}/");

    public static Task<ApiResponse> PatchExportAsync(this ApiClient client, int teamId, string id, JsonObject body) =>
        client.PatchAsync($"{ExportsPath(teamId)}/{id}/", body);

    public static Task<ApiResponse> PutExportAsync(this ApiClient client, int teamId, string id, JsonObject body) =>
        client.PutAsync($"{ExportsPath(teamId)}/{id}/", body);

    public static Task<ApiResponse> DeleteExportAsync(this ApiClient client, int teamId, string id) =>
        client.DeleteAsync($"{ExportsPath(teamId)}/{id}/");

    public static Task<ApiResponse> PauseExportAsync(this ApiClient client, int teamId, string id) =>
        client.PostAsync($"{ExportsPath(teamId)}/{id}/pause/");

    public static Task<ApiResponse> UnpauseExportAsync(this ApiClient client, int teamId, string id, bool? backfill = null) =>
        client.PostAsync($"{ExportsPath(teamId)}/{id}/unpause/", backfill == null ? null : new JsonObject { ["backfill"] = backfill });
}
