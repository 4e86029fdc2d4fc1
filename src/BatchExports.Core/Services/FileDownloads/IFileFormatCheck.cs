namespace BatchExports.Core.Services.FileDownloads;

/// <summary>
/// The file formats and compressions the file writers support, as the pipeline defines them; Core asks rather than
/// keeps a second list.
/// </summary>
public interface IFileFormatCheck
{
    /// <summary>PostHog's message when the combination is not supported, else null.</summary>
    string? Problem(string fileFormat, string? compression);
}
