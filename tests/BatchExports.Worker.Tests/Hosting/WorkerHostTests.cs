using System.Diagnostics;
using BatchExports.Core.Orchestration;
using BatchExports.Temporal;
using BatchExports.Worker.Activities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Temporalio.Client;

namespace BatchExports.Worker.Tests.Hosting;

/// <summary>The worker host's wiring, and its one-line, non-zero exit when Temporal cannot be reached.</summary>
public sealed class WorkerHostTests
{
    private static readonly Dictionary<string, string?> Config = new()
    {
        ["ConnectionStrings:BatchExports"] = "Host=127.0.0.1;Port=1;Database=none",
        ["BatchExports:EncryptionKey"] = BatchExports.Testing.ApiFactory.EncryptionKey,
        ["Temporal:Address"] = "127.0.0.1:1",
    };

    [Fact]
    public void Build_ResolvesActivitiesTheOrchestratorAndALazyClient_WithoutConnecting()
    {
        using var host = WorkerHost.Build([], c => c.AddInMemoryCollection(Config));

        using var scope = host.Services.CreateScope();
        Assert.NotNull(scope.ServiceProvider.GetRequiredService<ExportActivities>());
        Assert.NotNull(scope.ServiceProvider.GetRequiredService<BackfillActivities>());
        Assert.IsType<TemporalOrchestrator>(scope.ServiceProvider.GetRequiredService<IExportOrchestrator>());
        var client = host.Services.GetRequiredService<ITemporalClient>();
        Assert.False(client.Connection.IsConnected);
        Assert.Equal("127.0.0.1:1", client.Connection.Options.TargetHost);
        Assert.Contains(host.Services.GetServices<IHostedService>(), s => s.GetType().Name == "TemporalWorkerService");
    }

    [Fact]
    public void ExportWorkflowDefinitions_RegisterPostHogsFiveNames()
    {
        Assert.Equal(
            ["s3-export", "postgres-export", "redshift-export", "http-export", "no-op"],
            WorkerHost.ExportWorkflowDefinitions().Select(d => d.Name).ToList());
    }

    [Fact]
    public async Task Main_WhenTemporalIsUnreachable_ExitsNonZeroWithOneClearLine()
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "BatchExports.Worker.dll")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var (key, value) in Config)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        using var process = Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, process.ExitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("error: cannot reach Temporal at 127.0.0.1:1 (namespace 'default')", line, StringComparison.Ordinal);
    }
}
