using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace BatchExports.Testing;

/// <summary>An HTTP client that authenticates with a personal API key in the Authorization header, as PostHog users do.</summary>
public sealed class ApiClient(HttpClient http, string? apiKey)
{
    public HttpClient Http { get; } = http;

    public Task<ApiResponse> GetAsync(string path) => SendAsync(HttpMethod.Get, path, null);

    public Task<ApiResponse> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path, null);

    public Task<ApiResponse> PostAsync(string path, object? body = null) => SendAsync(HttpMethod.Post, path, body);

    public Task<ApiResponse> PatchAsync(string path, object? body) => SendAsync(HttpMethod.Patch, path, body);

    public Task<ApiResponse> PutAsync(string path, object? body) => SendAsync(HttpMethod.Put, path, body);

    /// <summary><paramref name="body"/> is sent as is when a string, else serialised as JSON.</summary>
    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, object? body, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (apiKey != null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        if (body != null)
        {
            var text = body as string ?? (body is JsonNode node ? node.ToJsonString() : System.Text.Json.JsonSerializer.Serialize(body));
            request.Content = new StringContent(text, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        using var response = await Http.SendAsync(request);
        var content = await response.Content.ReadAsStringAsync();
        return new ApiResponse(response.StatusCode, content, response.Headers.WwwAuthenticate.ToString());
    }
}

public sealed record ApiResponse(HttpStatusCode Status, string Body, string WwwAuthenticate)
{
    public JsonNode? Json => string.IsNullOrEmpty(Body) ? null : JsonNode.Parse(Body);

    public int StatusCode => (int)Status;

    /// <summary>The response as JSON, failing with the body when the status is not <paramref name="expected"/>.</summary>
    public JsonNode Expect(HttpStatusCode expected)
    {
        if (Status != expected)
        {
            throw new Xunit.Sdk.XunitException($"Expected {(int)expected} but got {(int)Status}: {Body}");
        }

        return Json ?? new JsonObject();
    }

    /// <summary>Asserts PostHog's error envelope.</summary>
    public void ExpectError(HttpStatusCode status, string type, string? detail = null, string? attr = null, string? code = null)
    {
        var json = Expect(status);
        Xunit.Assert.Equal(type, (string?)json["type"]);
        if (detail != null)
        {
            Xunit.Assert.Equal(detail, (string?)json["detail"]);
        }

        Xunit.Assert.Equal(attr, (string?)json["attr"]);
        if (code != null)
        {
            Xunit.Assert.Equal(code, (string?)json["code"]);
        }

        Xunit.Assert.Equal(["attr", "code", "detail", "type"], json.AsObject().Select(p => p.Key).Order().ToArray());
    }
}
