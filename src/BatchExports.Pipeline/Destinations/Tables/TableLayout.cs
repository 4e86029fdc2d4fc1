using BatchExports.Core.Domain;
using BatchExports.Pipeline.Runs;

namespace BatchExports.Pipeline.Destinations.Tables;

/// <summary>
/// The columns a warehouse destination writes and how rows land in the target: rows whose <see cref="Keys"/> are
/// already there are skipped (events: a retried interval never duplicates), or replaced when one of the
/// <see cref="Versions"/> is newer (PostHog's merge of persons and sessions).
/// </summary>
public sealed record TableLayout(IReadOnlyList<TableColumn> Columns, IReadOnlyList<string> Keys, IReadOnlyList<string> Versions)
{
    /// <summary>Source columns never written to a warehouse table (PostHog writes <c>_inserted_at</c> only to files).</summary>
    public static readonly IReadOnlySet<string> SkippedSourceColumns = new HashSet<string> { "_inserted_at" };

    /// <summary>Persons and sessions are merged; a table without their keys cannot take them.</summary>
    public bool IsMerge => Versions.Count > 0;

    /// <summary>PostHog's merge keys per model (worker spec §4.2); events are keyed by uuid so a re-run adds nothing twice.</summary>
    public static TableLayout ForModel(string model, IReadOnlyList<TableColumn> columns)
    {
        var (keys, versions) = model switch
        {
            ExportModels.Persons => (new[] { "team_id", "distinct_id" }, new[] { "person_version", "person_distinct_id_version" }),
            ExportModels.Sessions => (["team_id", "session_id"], ["end_timestamp"]),
            _ => (["uuid"], Array.Empty<string>()),
        };
        var names = columns.Select(c => c.Name).ToHashSet();
        return new TableLayout(columns, keys.Where(names.Contains).ToList(), versions.Where(names.Contains).ToList());
    }

    /// <summary>
    /// This layout cut down to the columns an existing table has (PostHog skips the others). Fails when nothing is left,
    /// or when a merged model's keys are missing.
    /// </summary>
    public TableLayout RestrictTo(IReadOnlyCollection<string> existing, StringComparer comparer, string tableName)
    {
        var present = existing.ToHashSet(comparer);
        var columns = Columns.Where(c => present.Contains(c.Name)).ToList();
        if (columns.Count == 0)
        {
            throw new NonRetryableExportException(
                $"The table {tableName} exists but has none of the columns this export writes ({string.Join(", ", Columns.Select(c => c.Name))}). "
                + "Drop it to let the export create it, or point the export at another table.");
        }

        if (IsMerge && Keys.FirstOrDefault(k => !present.Contains(k)) is { } missingKey)
        {
            throw new NonRetryableExportException(
                $"The table {tableName} has no '{missingKey}' column, which this export merges rows on ({string.Join(", ", Keys)}).");
        }

        return new TableLayout(columns, Keys.Where(present.Contains).ToList(), Versions.Where(present.Contains).ToList());
    }
}
