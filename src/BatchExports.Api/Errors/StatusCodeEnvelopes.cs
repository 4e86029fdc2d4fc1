namespace BatchExports.Api.Errors;

/// <summary>Gives bodiless framework responses (unknown route, wrong method, bad media type) PostHog's envelope.</summary>
public static class StatusCodeEnvelopes
{
    public static IApplicationBuilder UseErrorEnvelopesForEmptyResponses(this IApplicationBuilder app) =>
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            if (http.Response.ContentLength > 0 || http.Response.ContentType != null)
            {
                return;
            }

            var exception = http.Response.StatusCode switch
            {
                StatusCodes.Status404NotFound => ApiException.NotFound(),
                StatusCodes.Status405MethodNotAllowed => ApiException.MethodNotAllowed(http.Request.Method),
                StatusCodes.Status415UnsupportedMediaType => ApiException.UnsupportedMediaType(http.Request.ContentType ?? ""),
                StatusCodes.Status401Unauthorized => ApiException.NotAuthenticated(),
                _ => null,
            };
            if (exception != null)
            {
                await ErrorEnvelope.WriteAsync(http, exception);
            }
        });
}
