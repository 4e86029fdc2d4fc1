namespace BatchExports.Core.Domain.Destinations;

/// <summary>The JSON type a <see cref="ConfigFieldShape"/> documents.</summary>
public enum ConfigFieldType
{
    String,
    Integer,
    Object,
}
