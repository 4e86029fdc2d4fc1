namespace BatchExports.Core.Errors;

/// <summary>
/// An error a client caused or may act on. The API turns it into PostHog's envelope
/// <c>{"type","code","detail","attr"}</c> with <see cref="StatusCode"/>; anything else becomes a 500.
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

    /// <summary>A 400 <c>validation_error</c>. PostHog rewrites DRF's code <c>invalid</c> to <c>invalid_input</c>.</summary>
    public static ApiException Validation(string detail, string? attr = null, string code = "invalid_input") =>
        new(400, "validation_error", code == "invalid" ? "invalid_input" : code, detail, attr);

    public static ApiException Parse(string detail) =>
        new(400, "invalid_request", "parse_error", detail, null);

    public static ApiException NotFound(string detail = "Not found.") =>
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

    /// <summary>PostHog raises these as custom APIExceptions, which drf-exceptions-hog types as <c>server_error</c>.</summary>
    public static ApiException TooManyConcurrentBackfills(int limit) =>
        new(429, "server_error", "too_many_concurrent_backfills",
            $"This team already has {limit} batch export backfills running. Wait for some to finish or cancel them before creating more.",
            null);

    public static ApiException Throttled(string detail) =>
        new(429, "throttled_error", "throttled", detail, null);
}
