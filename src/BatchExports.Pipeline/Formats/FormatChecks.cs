namespace BatchExports.Pipeline.Formats;

/// <summary>Value coercions and shape checks shared by the file writers.</summary>
internal static class FormatChecks
{
    public static void EnsureColumnsMatch(Column[] columns, RecordBatch batch)
    {
        if (batch.Columns.Count != columns.Length)
        {
            throw new ArgumentException(
                $"The batch has {batch.Columns.Count} columns but the file was started with {columns.Length}.", nameof(batch));
        }

        for (var i = 0; i < columns.Length; i++)
        {
            if (batch.Columns[i] != columns[i])
            {
                throw new ArgumentException(
                    $"Batch column {i} is {batch.Columns[i]} but the file was started with {columns[i]}.", nameof(batch));
            }
        }

        foreach (var row in batch.Rows)
        {
            if (row.Length != columns.Length)
            {
                throw new ArgumentException($"A row has {row.Length} values for {columns.Length} columns.", nameof(batch));
            }
        }
    }

    public static double ToDouble(Column column, object value) => value switch
    {
        double d => d,
        float f => f,
        decimal m => (double)m,
        long l => l,
        int i => i,
        _ => throw Mismatch(column, value),
    };

    public static long ToInt64(Column column, object value) => value switch
    {
        long l => l,
        int i => i,
        uint u => u,
        short s => s,
        ushort s => s,
        byte b => b,
        sbyte b => b,
        ulong u when u <= long.MaxValue => (long)u,
        _ => throw Mismatch(column, value),
    };

    /// <summary>An instant as a UTC <see cref="DateTime"/>; an unspecified-kind <see cref="DateTime"/> is taken as UTC.</summary>
    public static DateTime ToUtcDateTime(Column column, object value) => value switch
    {
        DateTimeOffset dto => dto.UtcDateTime,
        DateTime { Kind: DateTimeKind.Utc } dt => dt,
        DateTime { Kind: DateTimeKind.Local } dt => dt.ToUniversalTime(),
        DateTime dt => DateTime.SpecifyKind(dt, DateTimeKind.Utc),
        _ => throw Mismatch(column, value),
    };

    public static ArgumentException Mismatch(Column column, object value) =>
        new($"Column '{column.Name}' is {column.Kind} but holds a {value.GetType().Name}.");
}
