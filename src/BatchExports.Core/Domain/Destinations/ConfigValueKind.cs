namespace BatchExports.Core.Domain.Destinations;

/// <summary>How a config value is type-checked (PostHog checks plain declared types only; unions are not checked).</summary>
public enum ConfigValueKind
{
    String,
    Integer,
    Boolean,

    /// <summary>A union or optional type in PostHog's dataclass: any JSON value.</summary>
    Unchecked,

    /// <summary>An optional list of strings (event names): checked here, friendlier than PostHog.</summary>
    StringList,
}
