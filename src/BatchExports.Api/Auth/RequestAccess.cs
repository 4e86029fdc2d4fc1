using BatchExports.Core.Domain;
using BatchExports.Core.Services.Accounts;

namespace BatchExports.Api.Auth;

/// <summary>What <see cref="AccessFilter"/> established about a request: who calls, and the team or organization addressed.</summary>
public sealed record RequestAccess(Caller Caller, Team? Team, Organization? Organization);

public static class RequestAccessExtensions
{
    public static RequestAccess GetAccess(this HttpContext context) =>
        context.Features.Get<RequestAccess>() ?? throw new InvalidOperationException("AccessFilter did not run for this endpoint.");
}
