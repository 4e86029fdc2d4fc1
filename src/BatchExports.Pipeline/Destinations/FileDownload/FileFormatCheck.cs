using BatchExports.Core.Services.FileDownloads;
using BatchExports.Pipeline.Formats;

namespace BatchExports.Pipeline.Destinations.FileDownload;

/// <summary>The file writers' own format and compression rules, for the checks of a file download request.</summary>
public sealed class FileFormatCheck : IFileFormatCheck
{
    public string? Problem(string fileFormat, string? compression) => FileFormats.Problem(fileFormat, compression);
}
