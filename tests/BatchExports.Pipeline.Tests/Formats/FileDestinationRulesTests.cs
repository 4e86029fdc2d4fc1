using System.Text.Json.Nodes;
using BatchExports.Pipeline.Formats;

namespace BatchExports.Pipeline.Tests.Formats;

/// <summary>The one set of file rules: what save time refuses, run time refuses too, with the same reading of the config.</summary>
public sealed class FileDestinationRulesTests
{
    [Theory]
    [InlineData("""{}""", null)]
    [InlineData("""{"file_format": "Parquet", "compression": "zstd"}""", null)]
    [InlineData("""{"file_format": "CSV"}""", "File format CSV is not supported. Supported file formats are ['Parquet', 'JSONLines']")]
    [InlineData("""{"compression": "zstd"}""", "Compression zstd is not supported for file format JSONLines. Supported compressions are ['gzip', 'brotli']")]
    [InlineData("""{"compression": 5}""", "Compression 5 is not supported for file format JSONLines. Supported compressions are ['gzip', 'brotli']")]
    public void Save_time_names_the_first_unsupported_format_or_compression(string json, string? expected)
    {
        Assert.Equal(expected, FileDestinationRules.FormatError(JsonNode.Parse(json)!.AsObject()));
    }

    [Theory]
    [InlineData("""{"file_format": "CSV"}""")]
    [InlineData("""{"file_format": "JSONLines", "compression": "zstd"}""")]
    public void Run_time_refuses_what_save_time_refuses_with_the_same_message(string json)
    {
        var config = JsonNode.Parse(json)!.AsObject();

        Assert.Equal(FileDestinationRules.FormatError(config), Assert.Throws<ArgumentException>(() => FileDestinationRules.ReadFormat(config)).Message);
    }

    [Theory]
    [InlineData("""{}""", null)]
    [InlineData("""{"max_file_size_mb": null}""", null)]
    [InlineData("""{"max_file_size_mb": 2}""", 2L * 1024 * 1024)]
    public void A_positive_whole_number_of_megabytes_rotates_files_at_that_size(string json, long? bytes)
    {
        var config = JsonNode.Parse(json)!.AsObject();

        Assert.Null(FileDestinationRules.MaxFileSizeError(config));
        Assert.Equal(bytes, FileDestinationRules.MaxFileBytes(config));
    }

    [Theory]
    [InlineData("""{"max_file_size_mb": 0}""")]
    [InlineData("""{"max_file_size_mb": -1}""")]
    [InlineData("""{"max_file_size_mb": 1.5}""")]
    [InlineData("""{"max_file_size_mb": "10"}""")]
    public void Any_other_max_file_size_is_refused_at_save_time_and_at_run_time(string json)
    {
        var config = JsonNode.Parse(json)!.AsObject();

        Assert.Equal("max_file_size_mb must be a positive whole number of megabytes.", FileDestinationRules.MaxFileSizeError(config));
        Assert.StartsWith("max_file_size_mb must be a positive whole number, not ", Assert.Throws<ArgumentException>(() => FileDestinationRules.MaxFileBytes(config)).Message);
    }
}
