using System.Text.RegularExpressions;
using Serilog.Core;
using Serilog.Events;

namespace BatchExports.Api.Logging;

/// <summary>
/// Last line of defence: whatever a framework logs (e.g. ASP.NET's "Request starting … ?personal_api_key=…" at
/// Information), personal API keys are masked before any sink sees them. Our own log lines never carry keys or
/// destination configs in the first place.
/// </summary>
public sealed partial class SecretRedactingEnricher : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        foreach (var (name, value) in logEvent.Properties.ToList())
        {
            if (value is ScalarValue { Value: string text } && ContainsSecret(text))
            {
                logEvent.AddOrUpdateProperty(new LogEventProperty(name, new ScalarValue(Redact(text))));
            }
        }
    }

    public static bool ContainsSecret(string text) => KeyPattern().IsMatch(text);

    public static string Redact(string text) => KeyPattern().Replace(text, "phx_[redacted]");

    [GeneratedRegex(@"phx_[A-Za-z0-9]{4,}")]
    private static partial Regex KeyPattern();
}
