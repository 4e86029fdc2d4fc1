using BatchExports.Core;
using BatchExports.Core.Hosting;
using BatchExports.Pipeline;
using BatchExports.Temporal;
using BatchExports.Worker.Activities;
using BatchExports.Worker.Workflows;
using Temporalio.Extensions.Hosting;
using Temporalio.Workflows;

namespace BatchExports.Worker;

/// <summary>
/// The worker host: the same configuration sections and pipeline as the API (<c>ConnectionStrings</c>,
/// <c>BatchExports</c>, <c>Temporal</c>, the destinations' options), and one hosted Temporal worker on the task
/// queue with every export workflow, the backfill and file-download workflows and their activities.
/// </summary>
public static class WorkerHost
{
    /// <param name="overrideServices">Replaces registrations after the host's own (tests put a recording Temporal client here).</param>
    public static IHost Build(string[] args, Action<IConfigurationBuilder>? configure = null, Action<IServiceCollection>? overrideServices = null)
    {
        var builder = Host.CreateApplicationBuilder(args);
        configure?.Invoke(builder.Configuration);
        var temporal = builder.Configuration.GetSection(TemporalOptions.SectionName).Get<TemporalOptions>() ?? new TemporalOptions();

        builder.Services.AddBatchExportsCore(builder.Configuration);
        builder.Services.AddSingleton<IDatabaseConnection, WorkerDatabase>();
        builder.Services.AddExportPipeline();
        builder.Services.AddTemporalEngine();
        // Activities may run to their end on stop before they are cancelled; the host must wait longer than that.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = temporal.GracefulShutdownTimeout + TimeSpan.FromSeconds(15));

        builder.Services.AddHostedTemporalWorker(temporal.TaskQueue)
            .AddScopedActivities<ExportActivities>()
            .AddScopedActivities<BackfillActivities>()
            .AddWorkflow<BackfillWorkflow>()
            .AddWorkflow<FileDownloadWorkflow>()
            .ConfigureOptions(options =>
            {
                options.GracefulShutdownTimeout = temporal.GracefulShutdownTimeout;
                foreach (var definition in ExportWorkflowDefinitions())
                {
                    options.Workflows.Add(definition);
                }
            });
        overrideServices?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>One export workflow class under each of PostHog's names, one per destination type we run.</summary>
    public static IEnumerable<WorkflowDefinition> ExportWorkflowDefinitions() =>
        WorkflowNames.Exports.Select(name => WorkflowDefinition.Create(typeof(ExportWorkflow), name, null));
}
