using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using BatchExports.Api.Errors;
using BatchExports.Core.Hosting;
using BatchExports.Core.Services.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace BatchExports.Api.Auth;

/// <summary>
/// PostHog's personal API key authentication. The key is looked for in the <c>Authorization: Bearer</c> header,
/// then the body's <c>personal_api_key</c>, then the query string's; only the first place found is tried.
/// </summary>
public sealed partial class PersonalApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    PersonalApiKeyAuthenticator authenticator,
    IOptions<BatchExportsOptions> settings)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "PersonalApiKey";
    public const string BodyField = "personal_api_key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var (key, source) = await FindKeyAsync();
        if (key == null)
        {
            return AuthenticateResult.NoResult();
        }

        var caller = await authenticator.AuthenticateAsync(key, Context.RequestAborted);
        if (caller == null)
        {
            return AuthenticateResult.Fail($"Personal API key found in request {source} is invalid.");
        }

        Context.Features.Set(caller);
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, caller.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var error = result.Failure is { } failure
            ? ApiException.AuthenticationFailed(failure.Message)
            : ApiException.NotAuthenticated();
        await ErrorEnvelope.WriteAsync(Context, error);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ErrorEnvelope.WriteAsync(Context, ApiException.PermissionDenied("You do not have permission to perform this action."));

    private async Task<(string? Key, string Source)> FindKeyAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        var match = BearerPattern().Match(header);
        // pha_ tokens are OAuth access tokens in PostHog; they are not personal API keys.
        if (match.Success && !match.Groups[1].Value.StartsWith("pha_", StringComparison.Ordinal))
        {
            return (match.Groups[1].Value.Trim(), "Authorization header");
        }

        if (await FindKeyInBodyAsync() is { } bodyKey)
        {
            return (bodyKey, "body");
        }

        if (Request.Query.TryGetValue(BodyField, out var queryKey) && !string.IsNullOrEmpty(queryKey.ToString()))
        {
            return (queryKey.ToString(), "query string");
        }

        return (null, "");
    }

    /// <summary>Peeks at a JSON body for <c>personal_api_key</c>, leaving the body readable for model binding.</summary>
    private async Task<string?> FindKeyInBodyAsync()
    {
        var contentType = Request.ContentType ?? "";
        var mayHaveBody = Request.ContentLength > 0 || Request.Headers.TransferEncoding.Count > 0;
        if (!mayHaveBody || (contentType.Length > 0 && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        var limit = settings.Value.MaxRequestBodyBytes;
        if (Request.ContentLength > limit)
        {
            return null;
        }

        Request.EnableBuffering(bufferThreshold: 64 * 1024, bufferLimit: limit);
        try
        {
            using var document = await JsonDocument.ParseAsync(Request.Body, cancellationToken: Context.RequestAborted);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty(BodyField, out var value)
                && value.ValueKind == JsonValueKind.String
                    ? value.GetString()
                    : null;
        }
        catch (Exception exception) when (exception is JsonException or BadHttpRequestException or IOException)
        {
            // Not our business here: model binding reports malformed or oversized bodies properly.
            return null;
        }
        finally
        {
            Request.Body.Position = 0;
        }
    }

    [GeneratedRegex(@"^Bearer\s+(\S.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex BearerPattern();
}
