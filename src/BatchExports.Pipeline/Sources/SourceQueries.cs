using System.Text;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Core.Domain.Schemas;
using BatchExports.Core.Domain.Filters;
using BatchExports.Pipeline.Formats;
using Npgsql;
using NpgsqlTypes;

namespace BatchExports.Pipeline.Sources;

/// <summary>
/// The PostgreSQL source's SQL. What one data interval selects (worker spec §3.3, §4.0): events bounded by ingestion time for scheduled runs
/// and by event time for backfills, with include/exclude lists and property filters applied in SQL; persons whose
/// person or distinct-id row changed in the interval; sessions written in it.
/// </summary>
public static class SourceQueries
{
    private const string ChangedPersonsFrom =
        """
        FROM changed c
        JOIN person_distinct_ids pdi ON pdi.team_id = @team_id AND pdi.distinct_id = c.distinct_id
        JOIN persons p ON p.team_id = pdi.team_id AND p.id = pdi.person_id
        """;

    private static readonly IReadOnlyDictionary<string, (string Sql, ColumnKind Kind)> EventColumns = new Dictionary<string, (string, ColumnKind)>
    {
        ["uuid"] = ("e.uuid::text", ColumnKind.String),
        ["team_id"] = ("e.team_id::bigint", ColumnKind.Int64),
        ["timestamp"] = ("e.timestamp", ColumnKind.Timestamp),
        ["_inserted_at"] = ("e.inserted_at", ColumnKind.Timestamp),
        ["created_at"] = ("e.created_at", ColumnKind.Timestamp),
        ["event"] = ("e.event", ColumnKind.String),
        ["properties"] = ("e.properties::text", ColumnKind.Json),
        ["distinct_id"] = ("e.distinct_id", ColumnKind.String),
        ["set"] = ("(e.properties -> '$set')::text", ColumnKind.Json),
        ["set_once"] = ("(e.properties -> '$set_once')::text", ColumnKind.Json),
        ["elements_chain"] = ("e.elements_chain", ColumnKind.String),
        ["person_properties"] = ("e.person_properties::text", ColumnKind.Json),
        ["person_id"] = ("e.person_id::text", ColumnKind.String),
        // PostHog's warehouse destinations add these (worker spec §4.2): the client IP, and the elements chain as a JSON string.
        ["ip"] = ("nullif(e.properties ->> '$ip', '')", ColumnKind.String),
        ["elements"] = ("to_jsonb(coalesce(e.elements_chain, ''))::text", ColumnKind.Json),
    };

    private static readonly IReadOnlyList<(string Name, string Sql, ColumnKind Kind)> PersonColumns =
    [
        ("team_id", "p.team_id::bigint", ColumnKind.Int64),
        ("distinct_id", "pdi.distinct_id", ColumnKind.String),
        ("person_id", "p.id::text", ColumnKind.String),
        ("properties", "p.properties::text", ColumnKind.Json),
        ("person_distinct_id_version", "pdi.version", ColumnKind.Int64),
        ("person_version", "p.version", ColumnKind.Int64),
        ("created_at", "p.created_at", ColumnKind.Timestamp),
        ("_inserted_at", PersonChangedAt(hasStart: true), ColumnKind.Timestamp),
        ("is_deleted", "(p.is_deleted OR pdi.is_deleted)", ColumnKind.Boolean),
    ];

    private static readonly IReadOnlyList<(string Name, string Sql, ColumnKind Kind)> SessionColumns =
    [
        ("session_id", "s.session_id::text", ColumnKind.String),
        ("team_id", "s.team_id::bigint", ColumnKind.Int64),
        ("distinct_id", "s.distinct_id", ColumnKind.String),
        ("start_timestamp", "s.start_timestamp", ColumnKind.Timestamp),
        ("end_timestamp", "s.end_timestamp", ColumnKind.Timestamp),
        ("urls", "s.urls", ColumnKind.StringArray),
        ("num_uniq_urls", "s.num_uniq_urls::bigint", ColumnKind.Int64),
        ("entry_current_url", "s.entry_current_url", ColumnKind.String),
        ("entry_pathname", "s.entry_pathname", ColumnKind.String),
        ("entry_hostname", "s.entry_hostname", ColumnKind.String),
        ("end_current_url", "s.end_current_url", ColumnKind.String),
        ("end_pathname", "s.end_pathname", ColumnKind.String),
        ("end_hostname", "s.end_hostname", ColumnKind.String),
        ("entry_utm_source", "s.entry_utm_source", ColumnKind.String),
        ("entry_utm_campaign", "s.entry_utm_campaign", ColumnKind.String),
        ("entry_utm_medium", "s.entry_utm_medium", ColumnKind.String),
        ("entry_utm_term", "s.entry_utm_term", ColumnKind.String),
        ("entry_utm_content", "s.entry_utm_content", ColumnKind.String),
        ("entry_referring_domain", "s.entry_referring_domain", ColumnKind.String),
        ("entry_gclid", "s.entry_gclid", ColumnKind.String),
        ("entry_fbclid", "s.entry_fbclid", ColumnKind.String),
        ("entry_gad_source", "s.entry_gad_source", ColumnKind.String),
        ("pageview_count", "s.pageview_count::bigint", ColumnKind.Int64),
        ("autocapture_count", "s.autocapture_count::bigint", ColumnKind.Int64),
        ("screen_count", "s.screen_count::bigint", ColumnKind.Int64),
        ("channel_type", "s.channel_type", ColumnKind.String),
        ("session_duration", "s.session_duration", ColumnKind.Int64),
        ("is_bounce", "s.is_bounce", ColumnKind.Boolean),
        ("last_external_click_url", "s.last_external_click_url", ColumnKind.String),
        ("exit_current_url", "s.end_current_url", ColumnKind.String),
        ("exit_pathname", "s.end_pathname", ColumnKind.String),
        ("vitals_lcp", "s.vitals_lcp", ColumnKind.Float64),
        ("_inserted_at", "s.inserted_at", ColumnKind.Timestamp),
    ];

    /// <summary>
    /// The records of one run's interval: ordered by the bounding time column (so output is stable across retries)
    /// unless the request says order does not matter, which spares the server a sort of the whole interval.
    /// </summary>
    public static SourceQuery Records(SourceRequest request)
    {
        var (selection, interval, isBackfill, eventFields, ordered, _) = request;
        string OrderBy(string keys) => ordered ? $"ORDER BY {keys}" : "";
        var parameters = new List<NpgsqlParameter>
        {
            new("team_id", selection.TeamId),
            // Npgsql writes only UTC instants to timestamptz; the same instant in another offset must not fail the run.
            new("start", interval.Start.ToUniversalTime()),
            new("end", interval.End.ToUniversalTime()),
        };
        switch (selection.Model)
        {
            case ExportModels.Persons:
                return new SourceQuery(
                    $"""
                    {ChangedPersons(hasStart: true)}
                    SELECT {SelectList(PersonColumns)}
                    {ChangedPersonsFrom}
                    {OrderBy("\"_inserted_at\", pdi.distinct_id")}
                    """,
                    parameters,
                    PersonColumns.Select(c => SourceColumn(c.Name, c.Kind)).ToList());
            case ExportModels.Sessions:
                var sessionTime = isBackfill ? "s.end_timestamp" : "s.inserted_at";
                return new SourceQuery(
                    $"""
                    SELECT {SelectList(SessionColumns)}
                    FROM sessions s
                    WHERE s.team_id = @team_id AND {sessionTime} >= @start AND {sessionTime} < @end
                    {OrderBy($"{sessionTime}, s.session_id")}
                    """,
                    parameters,
                    SessionColumns.Select(c => SourceColumn(c.Name, c.Kind)).ToList());
            default:
                var time = isBackfill ? "e.timestamp" : "e.inserted_at";
                var columns = EventSelection(selection.Schema, eventFields, time);
                var where = EventConditions(selection, parameters);
                return new SourceQuery(
                    $"""
                    SELECT {string.Join(", ", columns.Select(c => $"{c.Sql} AS {Quote(c.Name)}"))}
                    FROM events e
                    WHERE e.team_id = @team_id AND {time} >= @start AND {time} < @end{where}
                    {OrderBy($"{time}, e.uuid")}
                    """,
                    parameters,
                    columns.Select(c => SourceColumn(c.Name, c.Kind)).ToList());
        }
    }

    /// <summary>Every JSON column selected here is <c>jsonb</c> cast to text: valid, on one line, safe to pass through.</summary>
    private static Column SourceColumn(string name, ColumnKind kind) => new(name, kind) { IsCanonicalJson = kind == ColumnKind.Json };

    /// <summary>
    /// Earliest data and count over the backfill time column of the model; for persons, over the changes that
    /// <see cref="Records"/> selects, so a backfill never starts after a person change it should export.
    /// </summary>
    public static SourceQuery Stats(ExportSelection selection, DateTimeOffset? start, DateTimeOffset end)
    {
        var parameters = new List<NpgsqlParameter> { new("team_id", selection.TeamId), new("end", end.ToUniversalTime()) };
        if (start != null)
        {
            parameters.Add(new NpgsqlParameter("start", start.Value.ToUniversalTime()));
        }

        var from = start != null ? " AND {0} >= @start" : "";
        var sql = selection.Model switch
        {
            ExportModels.Persons =>
                $"{ChangedPersons(start != null)} SELECT min({PersonChangedAt(start != null)}), count(*) {ChangedPersonsFrom}",
            ExportModels.Sessions =>
                "SELECT min(end_timestamp), count(*) FROM sessions s WHERE team_id = @team_id AND end_timestamp < @end" + string.Format(from, "end_timestamp"),
            _ => "SELECT min(e.timestamp), count(*) FROM events e WHERE e.team_id = @team_id AND e.timestamp < @end"
                + string.Format(from, "e.timestamp") + EventConditions(selection, parameters),
        };
        return new SourceQuery(sql, parameters, []);
    }

    /// <param name="time">The row time column: as PostHog, a backfill reports the event time as <c>_inserted_at</c>.</param>
    private static IReadOnlyList<(string Name, string Sql, ColumnKind Kind)> EventSelection(CustomSchema? schema, IReadOnlyList<string> defaults, string time)
    {
        if (schema == null)
        {
            return defaults.Select(name => (name, name == "_inserted_at" ? time : EventColumns[name].Sql, EventColumns[name].Kind)).ToList();
        }

        var selected = schema.Fields.Select(field => (field.Alias, ExpressionSql(field.Expression).Sql, ExpressionSql(field.Expression).Kind)).ToList();
        // As PostHog: _inserted_at is always written, as a control column.
        if (selected.All(c => c.Alias != "_inserted_at"))
        {
            selected.Add(("_inserted_at", time, ColumnKind.Timestamp));
        }

        return selected;
    }

    /// <summary>The distinct ids whose own row or whose person's row changed in the range (both indexed reads).</summary>
    private static string ChangedPersons(bool hasStart) =>
        $"""
        WITH changed AS (
            SELECT distinct_id FROM person_distinct_ids
            WHERE team_id = @team_id AND {InRange("inserted_at", hasStart)}
            UNION
            SELECT pdi.distinct_id FROM persons p
            JOIN person_distinct_ids pdi ON pdi.team_id = p.team_id AND pdi.person_id = p.id
            WHERE p.team_id = @team_id AND {InRange("p.inserted_at", hasStart)}
        )
        """;

    /// <summary>
    /// PostHog's persons <c>_inserted_at</c>: the time of whichever row changed in the range, the earlier if both did.
    /// Never a change after the range, so a row re-read for an old interval keeps that interval's time.
    /// </summary>
    private static string PersonChangedAt(bool hasStart) =>
        $"LEAST(CASE WHEN {InRange("pdi.inserted_at", hasStart)} THEN pdi.inserted_at END, CASE WHEN {InRange("p.inserted_at", hasStart)} THEN p.inserted_at END)";

    private static string InRange(string column, bool hasStart) =>
        hasStart ? $"{column} >= @start AND {column} < @end" : $"{column} < @end";

    /// <summary>SQL for a custom-schema expression: a field, or <c>properties.&lt;name&gt;</c> / <c>person_properties.&lt;name&gt;</c> as text.</summary>
    private static (string Sql, ColumnKind Kind) ExpressionSql(string expression)
    {
        if (EventColumns.TryGetValue(expression, out var column))
        {
            return column;
        }

        var dot = expression.IndexOf('.');
        var field = expression[..dot];
        var property = expression[(dot + 1)..];
        return ($"(e.{field} ->> {Literal(property)})", ColumnKind.String);
    }

    private static string EventConditions(ExportSelection selection, List<NpgsqlParameter> parameters)
    {
        var sql = new StringBuilder();
        if (selection.IncludeEvents.Count > 0)
        {
            parameters.Add(new NpgsqlParameter("include_events", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = selection.IncludeEvents.ToArray() });
            sql.Append(" AND e.event = ANY(@include_events)");
        }

        if (selection.ExcludeEvents.Count > 0)
        {
            parameters.Add(new NpgsqlParameter("exclude_events", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = selection.ExcludeEvents.ToArray() });
            sql.Append(" AND e.event <> ALL(@exclude_events)");
        }

        foreach (var filter in (selection.Filters ?? []).OfType<JsonObject>())
        {
            sql.Append(" AND ").Append(FilterSql(filter, parameters));
        }

        return sql.ToString();
    }

    /// <summary>One PostHog property filter as a SQL condition over the event's (or its person's) properties.</summary>
    private static string FilterSql(JsonObject filter, List<NpgsqlParameter> parameters)
    {
        var column = filter["type"]!.GetValue<string>() == "person" ? "e.person_properties" : "e.properties";
        var key = Parameter(parameters, filter["key"]!.GetValue<string>());
        var text = $"({column} ->> {key})";
        var value = filter["value"];
        return PropertyFilterRules.OperatorOf(filter) switch
        {
            PropertyFilterRules.Exact => $"{text} = ANY({ArrayParameter(parameters, PropertyFilterRules.ValuesOf(value))})",
            PropertyFilterRules.IsNot => $"({text} IS NULL OR NOT ({text} = ANY({ArrayParameter(parameters, PropertyFilterRules.ValuesOf(value))})))",
            PropertyFilterRules.IContains => $"{text} ILIKE {Parameter(parameters, LikePattern(value))}",
            PropertyFilterRules.NotIContains => $"({text} IS NULL OR {text} NOT ILIKE {Parameter(parameters, LikePattern(value))})",
            PropertyFilterRules.Regex => $"coalesce({text} ~ {Parameter(parameters, PropertyFilterRules.ValuesOf(value)[0])}, false)",
            PropertyFilterRules.NotRegex => $"NOT coalesce({text} ~ {Parameter(parameters, PropertyFilterRules.ValuesOf(value)[0])}, false)",
            PropertyFilterRules.IsSet => $"coalesce(jsonb_typeof({column} -> {key}) <> 'null', false)",
            PropertyFilterRules.IsNotSet => $"NOT coalesce(jsonb_typeof({column} -> {key}) <> 'null', false)",
            var comparison => $"{NumericSql(column, key, text)} {ComparisonOperator(comparison!)} CAST({Parameter(parameters, PropertyFilterRules.ToNumber(value)!.Value)} AS numeric)",
        };
    }

    /// <summary>
    /// A number or numeric string as <c>numeric</c>, else null. Not double precision: one out-of-range value
    /// (<c>"1e999"</c>) would fail the cast and with it every run of the export. The bounded length and exponent
    /// keep string values within what numeric can hold.
    /// </summary>
    private static string NumericSql(string column, string key, string text) =>
        $"(CASE jsonb_typeof({column} -> {key}) WHEN 'number' THEN {text}::numeric " +
        $"WHEN 'string' THEN CASE WHEN length({text}) <= 100 AND {text} ~ '^\\s*[-+]?[0-9]+(\\.[0-9]*)?([eE][-+]?[0-9]{{1,4}})?\\s*$' THEN {text}::numeric END END)";

    private static string ComparisonOperator(string filterOperator) => filterOperator switch
    {
        PropertyFilterRules.GreaterThan => ">",
        PropertyFilterRules.GreaterThanOrEqual => ">=",
        PropertyFilterRules.LessThan => "<",
        _ => "<=",
    };

    private static string LikePattern(JsonNode? value) =>
        "%" + PropertyFilterRules.ValuesOf(value)[0].Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";

    private static string Parameter(List<NpgsqlParameter> parameters, object value)
    {
        var name = $"p{parameters.Count}";
        parameters.Add(new NpgsqlParameter(name, value));
        return "@" + name;
    }

    private static string ArrayParameter(List<NpgsqlParameter> parameters, IReadOnlyList<string> values)
    {
        var name = $"p{parameters.Count}";
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.ToArray() });
        return "@" + name;
    }

    private static string SelectList(IReadOnlyList<(string Name, string Sql, ColumnKind Kind)> columns) =>
        string.Join(", ", columns.Select(c => $"{c.Sql} AS {Quote(c.Name)}"));

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    private static string Literal(string text) => "'" + text.Replace("'", "''") + "'";
}
