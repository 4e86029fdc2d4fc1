namespace BatchExports.Pipeline.Destinations.S3;

/// <summary>
/// An upload request still failed with a transient error after every attempt; the inner exception is the last
/// failure. <see cref="PartNumber"/> is null when the object was sent whole (PutObject).
/// </summary>
public sealed class S3PartUploadFailedException(string key, int? partNumber, int attempts, Exception inner)
    : Exception($"{Describe(key, partNumber)} failed after {attempts} attempts: {inner.Message}", inner)
{
    public string Key { get; } = key;

    public int? PartNumber { get; } = partNumber;

    public int Attempts { get; } = attempts;

    internal static string Describe(string key, int? partNumber) =>
        partNumber is { } part ? $"Uploading part {part} of '{key}'" : $"Uploading '{key}'";
}
