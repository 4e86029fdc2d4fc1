using System.Globalization;
using System.Text.RegularExpressions;
using BatchExports.Core.Json;

namespace BatchExports.Api.Validation;

/// <summary>PostHog's date parameters: an ISO datetime (naive = UTC) or a relative value such as <c>-7d</c>, <c>-2h</c>, <c>-30M</c>.</summary>
public static partial class RelativeDates
{
    public static bool TryParse(string? text, DateTimeOffset now, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        if (text == "now")
        {
            value = now;
            return true;
        }

        var match = RelativePattern().Match(text);
        if (match.Success)
        {
            var amount = int.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
            value = match.Groups["unit"].Value switch
            {
                "M" => now.AddMinutes(-amount),
                "h" or "H" => now.AddHours(-amount),
                "d" => now.AddDays(-amount),
                "w" => now.AddDays(-7 * amount),
                "m" => now.AddMonths(-amount),
                "q" => now.AddMonths(-3 * amount),
                _ => now.AddYears(-amount),
            };
            return true;
        }

        if (WireJson.TryParseDateTime(text, out value, out _))
        {
            return true;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            value = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return true;
        }

        return false;
    }

    [GeneratedRegex(@"^-(?<n>\d{1,6})(?<unit>[MhHdwmqy])$")]
    private static partial Regex RelativePattern();
}
