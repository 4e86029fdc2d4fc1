using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;

namespace BatchExports.Pipeline.Destinations.S3;

/// <summary>What went wrong talking to S3, said so a user can act on it. Never carries a secret.</summary>
public sealed record S3Failure(bool Retryable, string Message);

/// <summary>
/// Sorts S3 errors into ones the user must fix (credentials, bucket, endpoint, KMS key: retrying cannot help) and
/// transient ones (timeouts, throttling, server errors, dropped connections) that a retry may get past.
/// </summary>
public static class S3ErrorClassifier
{
    private static readonly HashSet<string> CredentialCodes = new(StringComparer.Ordinal)
    {
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "AccessDenied",
        "InvalidToken",
        "ExpiredToken",
        "TokenRefreshRequired",
        "InvalidSecurity",
        "AllAccessDisabled",
        "AccountProblem",
        "NotSignedUp",
        "Forbidden",
    };

    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "RequestTimeout",
        "RequestTimeTooSkewed",
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "TooManyRequests",
        "RequestLimitExceeded",
        "ServiceUnavailable",
        "InternalError",
        "OperationAborted",
    };

    public static S3Failure Classify(Exception exception, S3Settings settings)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(settings);

        if (exception is S3PartUploadFailedException partFailure)
        {
            var inner = Classify(partFailure.InnerException!, settings);
            var what = S3PartUploadFailedException.Describe(partFailure.Key, partFailure.PartNumber);
            return inner with { Message = $"{what} failed after {partFailure.Attempts} attempts: {inner.Message}" };
        }

        if (Find<AmazonServiceException>(exception) is { } service && (service.ErrorCode is not null || service.StatusCode != 0))
        {
            return ClassifyService(service, settings);
        }

        if (Find<SocketException>(exception) is { } socket)
        {
            return ClassifySocket(socket, settings);
        }

        if (Find<HttpRequestException>(exception) is { } http)
        {
            return http.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => Unreachable(settings, retryable: false),
                HttpRequestError.ConnectionError => Unreachable(settings, retryable: settings.EndpointUrl is null),
                HttpRequestError.SecureConnectionError => new S3Failure(false, $"Could not establish a secure connection to the S3 endpoint '{settings.DisplayEndpoint}'"),
                _ => new S3Failure(true, $"The connection to the S3 endpoint '{settings.DisplayEndpoint}' failed: {http.Message}"),
            };
        }

        if (Find<TimeoutException>(exception) is not null || exception is OperationCanceledException || Find<IOException>(exception) is not null)
        {
            return new S3Failure(true, $"The request to the S3 endpoint '{settings.DisplayEndpoint}' timed out or was interrupted");
        }

        if (exception is AmazonClientException client && client.Message.Contains("credentials", StringComparison.OrdinalIgnoreCase))
        {
            return new S3Failure(false, "No S3 credentials were given and none could be found in the environment");
        }

        if (exception is UriFormatException)
        {
            return new S3Failure(false, $"The S3 endpoint '{settings.DisplayEndpoint}' is not a valid URL");
        }

        return new S3Failure(true, $"{exception.GetType().Name}: {exception.Message}");
    }

    /// <summary>Whether a retry of the same request may succeed.</summary>
    public static bool IsTransient(Exception exception, S3Settings settings) => Classify(exception, settings).Retryable;

    private static S3Failure ClassifyService(AmazonServiceException e, S3Settings settings)
    {
        var code = e.ErrorCode ?? "";
        var status = (int)e.StatusCode;

        if (TransientCodes.Contains(code) || status >= 500 || status == 429)
        {
            return new S3Failure(true, $"S3 is temporarily unable to serve the request: {Describe(e)}");
        }

        if (CredentialCodes.Contains(code) || (code.Length == 0 && status == 403))
        {
            return new S3Failure(false, $"The S3 credentials were rejected: {(code.Length == 0 ? "Forbidden" : code)}");
        }

        if (code.StartsWith("KMS.", StringComparison.Ordinal) || code == "KMSAccessDenied")
        {
            return new S3Failure(false, $"The KMS key was rejected: {code}");
        }

        switch (code)
        {
            case "NoSuchBucket":
                return new S3Failure(false, $"The bucket '{settings.BucketName}' does not exist");
            case "NotFound" or "" when status == 404:
                return new S3Failure(false, $"The bucket '{settings.BucketName}' does not exist");
            case "InvalidBucketName":
                return new S3Failure(false, $"The bucket name '{settings.BucketName}' is not valid");
            case "PermanentRedirect" or "AuthorizationHeaderMalformed" or "IllegalLocationConstraintException":
                return new S3Failure(false, $"The bucket '{settings.BucketName}' is not in the region '{settings.Region}': {code}");
            case "" when status == 301:
                return new S3Failure(false, $"The bucket '{settings.BucketName}' is not in the region '{settings.Region}'");
            case "InvalidArgument" or "InvalidRequest" or "InvalidEncryptionAlgorithmError":
                return new S3Failure(false, $"S3 rejected the request: {Describe(e)}");
        }

        if (status is >= 400 and < 500)
        {
            return new S3Failure(false, $"S3 rejected the request: {Describe(e)}");
        }

        return new S3Failure(true, $"S3 request failed: {Describe(e)}");
    }

    private static S3Failure ClassifySocket(SocketException socket, S3Settings settings) =>
        socket.SocketErrorCode switch
        {
            SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => Unreachable(settings, retryable: false),
            SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.AddressNotAvailable
                => Unreachable(settings, retryable: settings.EndpointUrl is null),
            SocketError.TimedOut => new S3Failure(true, $"The connection to the S3 endpoint '{settings.DisplayEndpoint}' timed out"),
            _ => new S3Failure(true, $"The connection to the S3 endpoint '{settings.DisplayEndpoint}' failed: {socket.SocketErrorCode}"),
        };

    // A user's own endpoint that refuses connections stays broken until they fix it; AWS refusing one is a blip.
    private static S3Failure Unreachable(S3Settings settings, bool retryable) =>
        new(retryable, $"Could not connect to the S3 endpoint '{settings.DisplayEndpoint}'");

    private static string Describe(AmazonServiceException e)
    {
        var code = string.IsNullOrEmpty(e.ErrorCode) ? ((HttpStatusCode)e.StatusCode).ToString() : e.ErrorCode;
        return string.IsNullOrEmpty(e.Message) || e.Message == code ? code : $"{code}: {e.Message}";
    }

    private static T? Find<T>(Exception exception)
        where T : Exception
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is T match)
            {
                return match;
            }
        }

        return null;
    }
}
