namespace BatchExports.Api.Errors;

/// <summary>
/// An HTTP-level error the Api itself raises (authentication, an unparsable or oversized body, a route or method that
/// does not exist) with the status code and PostHog's envelope fields it answers with. Use-case errors are Core's
/// <see cref="Core.Errors.DomainException"/>s, mapped by <see cref="DomainErrors"/>.
/// </summary>
public sealed class ApiException : Exception
{
    private ApiException(int statusCode, string type, string code, string detail, string? attr)
        : base(detail)
    {
        StatusCode = statusCode;
        Type = type;
        Code = code;
        Detail = detail;
        Attr = attr;
    }

    public int StatusCode { get; }

    public string Type { get; }

    public string Code { get; }

    public string Detail { get; }

    public string? Attr { get; }

    /// <summary>A 400 <c>validation_error</c>; the code is already PostHog's (see <see cref="Core.Errors.ValidationException"/>).</summary>
    public static ApiException Validation(string detail, string? attr, string code) =>
        new(400, "validation_error", code, detail, attr);

    public static ApiException Parse(string detail) =>
        new(400, "invalid_request", "parse_error", detail, null);

    public static ApiException NotFound(string detail = Core.Errors.NotFoundException.DefaultDetail) =>
        new(404, "invalid_request", "not_found", detail, null);

    public static ApiException MethodNotAllowed(string method) =>
        new(405, "invalid_request", "method_not_allowed", $"Method \"{method}\" not allowed.", null);

    public static ApiException UnsupportedMediaType(string mediaType) =>
        new(415, "invalid_request", "unsupported_media_type", $"Unsupported media type \"{mediaType}\" in request.", null);

    public static ApiException PayloadTooLarge(long limitBytes) =>
        new(413, "invalid_request", "payload_too_large", $"Request body exceeds the limit of {limitBytes} bytes.", null);

    public static ApiException NotAuthenticated() =>
        new(401, "authentication_error", "not_authenticated", "Authentication credentials were not provided.", null);

    public static ApiException AuthenticationFailed(string detail) =>
        new(401, "authentication_error", "authentication_failed", detail, null);

    public static ApiException PermissionDenied(string detail) =>
        new(403, "authentication_error", "permission_denied", detail, null);

    /// <summary>PostHog raises this as a custom APIException, which drf-exceptions-hog types as <c>server_error</c>.</summary>
    public static ApiException TooManyConcurrentBackfills(string detail) =>
        new(429, "server_error", "too_many_concurrent_backfills", detail, null);

    /// <summary>A dependency the change needs (the Temporal engine) refused it or is away; nothing was saved.</summary>
    public static ApiException ServiceUnavailable(string detail) =>
        new(503, "server_error", "service_unavailable", detail, null);

    /// <summary>PostHog's <c>TooManyConcurrentFileDownloads</c>, a custom APIException like the backfill one: <c>server_error</c>.</summary>
    public static ApiException TooManyConcurrentFileDownloads(string detail) =>
        new(429, "server_error", "too_many_concurrent_file_downloads", detail, null);
}
