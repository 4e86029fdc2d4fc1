using System.Globalization;
using System.Text;

namespace BatchExports.Pipeline.Destinations.S3;

/// <summary>
/// PostHog's S3 object keys (worker spec §4.1): the prefix is a template over the interval end ({year} … {second}),
/// {table}, {data_interval_start} and {data_interval_end}; files are named after the interval, numbered when they
/// rotate by size. Keys depend only on the run's interval, so a retry overwrites instead of duplicating.
/// </summary>
public static class S3ObjectKeys
{
    /// <summary>Python's <c>isoformat()</c> of a UTC datetime: how PostHog prints interval bounds in keys.</summary>
    public static string IsoFormat(DateTimeOffset? value)
    {
        if (value is not { } instant)
        {
            return "START";
        }

        var utc = instant.ToUniversalTime();
        var fraction = utc.Ticks % TimeSpan.TicksPerSecond == 0 ? "" : ".ffffff";
        return utc.ToString($"yyyy-MM-dd'T'HH:mm:ss{fraction}'+00:00'", CultureInfo.InvariantCulture);
    }

    public static string FormatPrefix(string template, DateTimeOffset? start, DateTimeOffset end, string table)
    {
        var utcEnd = end.ToUniversalTime();
        var values = new Dictionary<string, string>
        {
            ["year"] = utcEnd.ToString("yyyy", CultureInfo.InvariantCulture),
            ["month"] = utcEnd.ToString("MM", CultureInfo.InvariantCulture),
            ["day"] = utcEnd.ToString("dd", CultureInfo.InvariantCulture),
            ["hour"] = utcEnd.ToString("HH", CultureInfo.InvariantCulture),
            ["minute"] = utcEnd.ToString("mm", CultureInfo.InvariantCulture),
            ["second"] = utcEnd.ToString("ss", CultureInfo.InvariantCulture),
            ["table"] = table,
            ["data_interval_start"] = IsoFormat(start),
            ["data_interval_end"] = IsoFormat(end),
        };

        var output = new StringBuilder(template.Length + 32);
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if ((c == '{' || c == '}') && i + 1 < template.Length && template[i + 1] == c)
            {
                output.Append(c);
                i++;
                continue;
            }

            var close = c == '{' ? template.IndexOf('}', i + 1) : -1;
            if (close > 0 && values.TryGetValue(template[(i + 1)..close], out var value))
            {
                output.Append(value);
                i = close;
                continue;
            }

            // Unknown variables are refused when the export is saved; anything else is kept as written.
            output.Append(c);
        }

        return output.ToString();
    }

    /// <summary><c>{start}-{end}[-{n}].{extension}</c>; numbered only when files rotate by size.</summary>
    public static string FileName(DateTimeOffset? start, DateTimeOffset end, int? fileNumber, string extension) =>
        $"{IsoFormat(start)}-{IsoFormat(end)}{(fileNumber is { } n ? $"-{n}" : "")}.{extension}";

    public static string ManifestName(DateTimeOffset? start, DateTimeOffset end) => $"{IsoFormat(start)}-{IsoFormat(end)}_manifest.json";

    /// <summary><c>posixpath.join(prefix, name)</c> with any leading slash removed.</summary>
    public static string Join(string prefix, string name)
    {
        var key = prefix.Length == 0 ? name : prefix.EndsWith('/') ? prefix + name : prefix + "/" + name;
        return key.TrimStart('/');
    }
}
