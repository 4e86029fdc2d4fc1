using System.Text.Json;
using BatchExports.Core.Errors;
using BatchExports.Core.Persistence;
using Microsoft.AspNetCore.Diagnostics;

namespace BatchExports.Api.Errors;

/// <summary>The one place exceptions become responses: PostHog's envelope, never a stack trace.</summary>
public sealed class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (context.Response.HasStarted)
        {
            return false;
        }

        switch (exception)
        {
            case ApiException api:
                await ErrorEnvelope.WriteAsync(context, api);
                return true;
            case DomainException domain:
                await ErrorEnvelope.WriteAsync(context, domain.ToHttpError());
                return true;
            case BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }:
                await ErrorEnvelope.WriteAsync(context, 413, new ErrorEnvelope("invalid_request", "payload_too_large", "Request body is too large.", null));
                return true;
            case BadHttpRequestException badRequest:
                await ErrorEnvelope.WriteAsync(context, badRequest.StatusCode, new ErrorEnvelope("invalid_request", "bad_request", "The request could not be read.", null));
                return true;
            case JsonException:
                await ErrorEnvelope.WriteAsync(context, ApiException.Parse("JSON parse error."));
                return true;
            case OperationCanceledException when context.RequestAborted.IsCancellationRequested:
                // The client went away; there is nobody to answer.
                context.Response.StatusCode = 499;
                return true;
            case var _ when DatabaseOutage.IsUnreachable(exception):
                // Not a fault of the request: the client may simply come back, so 503 with Retry-After rather than 500.
                logger.LogWarning(exception, "Database not reachable on {Method} {Path}", context.Request.Method, context.Request.Path.Value);
                await ErrorEnvelope.WriteDatabaseUnreachableAsync(context);
                return true;
            default:
                logger.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path.Value);
                await ErrorEnvelope.WriteAsync(context, 500, ErrorEnvelope.ServerError());
                return true;
        }
    }
}
