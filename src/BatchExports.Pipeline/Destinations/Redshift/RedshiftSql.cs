using System.Globalization;
using BatchExports.Pipeline.Destinations.Tables;

namespace BatchExports.Pipeline.Destinations.Redshift;

/// <summary>
/// The SQL only Redshift speaks: the SUPER type, <c>JSON_PARSE</c> and <c>COPY … FROM 's3://…'</c>. Everything else the
/// Redshift destination sends is plain PostgreSQL, which is how its INSERT mode is tested against PostgreSQL.
/// </summary>
public static class RedshiftSql
{
    public const string Super = "SUPER";

    /// <summary>Redshift's widest VARCHAR, in bytes.</summary>
    public const string MaxVarchar = "VARCHAR(65535)";

    /// <summary>The SQL for a value of <paramref name="column"/> given as <paramref name="placeholder"/>: SUPER values are parsed from JSON text.</summary>
    public static string Value(TableColumn column, string placeholder) => column.IsSuper ? $"JSON_PARSE({placeholder})" : placeholder;

    /// <summary>
    /// Loads one gzip JSONLines object into <paramref name="stage"/>; JSON keys are the column names. The statement carries
    /// credentials: it is never logged.
    /// </summary>
    public static string Copy(string stage, IReadOnlyList<TableColumn> columns, string bucket, string key, string region, RedshiftAuthorization authorization) =>
        $"COPY {stage} ({SqlNames.ColumnList(columns)}) FROM {Literal($"s3://{bucket}/{key}")} "
        + $"{Credentials(authorization)} REGION {Literal(region)} FORMAT AS JSON 'auto' GZIP TIMEFORMAT 'auto'";

    /// <summary>
    /// A string literal. Redshift reads a backslash in a literal as an escape (it has no <c>standard_conforming_strings</c>),
    /// so backslashes are doubled as well as quotes.
    /// </summary>
    public static string Literal(string text) =>
        "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string Credentials(RedshiftAuthorization authorization) => authorization switch
    {
        { IamRole: { } role } when string.Equals(role, "default", StringComparison.OrdinalIgnoreCase) => "IAM_ROLE default",
        { IamRole: { } role } => $"IAM_ROLE {Literal(role)}",
        _ => string.Create(CultureInfo.InvariantCulture,
            $"ACCESS_KEY_ID {Literal(authorization.AccessKeyId!)} SECRET_ACCESS_KEY {Literal(authorization.SecretAccessKey!)}"),
    };
}
