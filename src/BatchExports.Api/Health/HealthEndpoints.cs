using BatchExports.Api.Errors;
using BatchExports.Core.Orchestration;
using BatchExports.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Api.Health;

public static class HealthEndpoints
{
    /// <summary><c>/_health</c>: the process serves. <c>/_readyz</c>: the database answers and has every migration.</summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/_health", () => Results.Json(new { status = "ok" })).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapGet("/_readyz", async (BatchExportsDbContext db, HttpContext context, IServiceProvider services, CancellationToken cancellationToken) =>
        {
            // In Temporal mode: Temporal answers and a worker polls the task queue. The embedded engine is this process.
            var engine = services.GetService<IEngineReadiness>() is { } readiness ? await readiness.CheckAsync(cancellationToken) : null;
            try
            {
                var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
                if (pending.Count > 0)
                {
                    await ErrorEnvelope.WriteAsync(context, 503, new ErrorEnvelope(
                        "server_error", "not_ready", $"The database is missing {pending.Count} migration(s); run the 'migrate' command.", null));
                    return;
                }

                if (engine is { Ready: false })
                {
                    await ErrorEnvelope.WriteAsync(context, 503, new ErrorEnvelope("server_error", "not_ready", engine.Detail, null));
                    return;
                }

                if (engine != null)
                {
                    await context.Response.WriteAsJsonAsync(
                        new { status = "ok", database = "ok", migrations = "applied", engine = engine.Engine, temporal = "ok", pollers = engine.Pollers },
                        cancellationToken);
                    return;
                }

                await context.Response.WriteAsJsonAsync(new { status = "ok", database = "ok", migrations = "applied" }, cancellationToken);
            }
            catch (Exception exception) when (exception is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
            {
                context.Response.Headers.RetryAfter = DatabaseOutage.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await ErrorEnvelope.WriteAsync(context, 503, new ErrorEnvelope("server_error", "not_ready", DatabaseOutage.Message, null));
            }
        }).AllowAnonymous().ExcludeFromDescription();
        return endpoints;
    }
}
