using BatchExports.Core.Json;
using BatchExports.Core.Persistence;

namespace BatchExports.Api.Errors;

/// <summary>PostHog's error body (drf-exceptions-hog): every non-2xx response carries one.</summary>
public sealed record ErrorEnvelope(string Type, string Code, string Detail, string? Attr)
{
    public static ErrorEnvelope From(ApiException exception) => new(exception.Type, exception.Code, exception.Detail, exception.Attr);

    public static ErrorEnvelope ServerError() => new("server_error", "error", "A server error occurred.", null);

    public static async Task WriteAsync(HttpContext context, int statusCode, ErrorEnvelope envelope)
    {
        context.Response.StatusCode = statusCode;
        if (statusCode == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }

        await context.Response.WriteAsJsonAsync(envelope, WireJson.Options, context.RequestAborted);
    }

    /// <summary>503 while PostgreSQL is away, with <c>Retry-After</c>, from every route that needs it.</summary>
    public static Task WriteDatabaseUnreachableAsync(HttpContext context)
    {
        context.Response.Headers.RetryAfter = DatabaseOutage.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return WriteAsync(context, StatusCodes.Status503ServiceUnavailable, new ErrorEnvelope("server_error", "service_unavailable", DatabaseOutage.Message, null));
    }

    public static Task WriteAsync(HttpContext context, ApiException exception) =>
        WriteAsync(context, exception.StatusCode, From(exception));
}
