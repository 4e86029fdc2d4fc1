using Serilog;
using Serilog.Events;

namespace BatchExports.Api.Logging;

/// <summary>
/// One line per request with the status the client received. It wraps the exception handler and the status-code
/// pages, so a validation error is logged as the 400 it became (not as the exception that produced it, which
/// Serilog would log as an error with a 500 and a stack trace). Client errors are not server errors: 4xx log at
/// Information, 5xx at Error. The path is logged without its query string, which may carry a personal API key.
/// </summary>
public static class RequestLogging
{
    public const string MessageTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms";

    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app) =>
        app.UseSerilogRequestLogging(options =>
        {
            options.MessageTemplate = MessageTemplate;

            // The host's own logger, not the static Log.Logger: two hosts in one process (tests) would otherwise
            // write each other's request lines.
            options.Logger = app.ApplicationServices.GetService<Serilog.ILogger>();
            options.GetLevel = (context, _, exception) => exception != null || context.Response.StatusCode >= 500
                ? LogEventLevel.Error
                : LogEventLevel.Information;
        });
}
