using System.Diagnostics;
using BatchExports.Core.Errors;

namespace BatchExports.Api.Errors;

/// <summary>Core's domain errors as PostHog answers them: the one place a use-case error gets a status code.</summary>
public static class DomainErrors
{
    public static ApiException ToHttpError(this DomainException exception) => exception switch
    {
        ValidationException validation => ApiException.Validation(validation.Detail, validation.Attr, validation.Code),
        NotFoundException notFound => ApiException.NotFound(notFound.Detail),
        PermissionDeniedException denied => ApiException.PermissionDenied(denied.Detail),
        TooManyConcurrentBackfillsException tooMany => ApiException.TooManyConcurrentBackfills(tooMany.Detail),
        EngineUnavailableException unavailable => ApiException.ServiceUnavailable(unavailable.Detail),
        TooManyConcurrentFileDownloadsException tooMany => ApiException.TooManyConcurrentFileDownloads(tooMany.Detail),
        _ => throw new UnreachableException($"No HTTP mapping for {exception.GetType().Name}."),
    };
}
