using NpgsqlTypes;

namespace BatchExports.Pipeline.Destinations.Tables;

/// <summary>A column of a destination table: its SQL type and the wire type its values are sent as.</summary>
public sealed record TableColumn(string Name, string SqlType, NpgsqlDbType DbType)
{
    /// <summary>The value written when the source has no column of this name (PostHog's constant columns, e.g. <c>site_url</c>).</summary>
    public object? Constant { get; init; }

    /// <summary>Values are JSON text the server parses on the way in (Redshift SUPER).</summary>
    public bool IsSuper { get; init; }
}
