using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Temporalio.Client;
using Temporalio.Client.Schedules;
using static BatchExports.Testing.BatchExportsOperations;

namespace BatchExports.Worker.Tests.Temporal;

/// <summary>
/// All-or-nothing when the database refuses the commit after Temporal accepted the change: deferred constraint
/// triggers in the test database raise at COMMIT for marked rows, and the recording client shows the Temporal engine
/// undoing what it did (api spec §5.1–5.5; the port's contract in IExportOrchestrator).
/// </summary>
public sealed class CommitFailureTests(CommitFailureTests.Factory factory) : IClassFixture<CommitFailureTests.Factory>
{
    private List<string> CallsAbout(string id) => factory.Temporal.Calls.Where(c => c.Contains(id, StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task Create_WhoseCommitFails_DeletesTheScheduleItCreated()
    {
        var tenant = await factory.CreateTenantAsync();
        var name = await factory.FailOnCommitAsync($"fail-{Guid.NewGuid():N}");
        var before = factory.Temporal.Calls.Count;

        var response = await factory.CreateApiClient(tenant.ApiKey).CreateExportAsync(tenant.TeamId, ExportBody(NoOpDestination(), name: name));

        Assert.Equal(HttpStatusCode.InternalServerError, response.Status);
        var calls = factory.Temporal.Calls.Skip(before).ToList();
        var created = Assert.Single(calls, c => c.StartsWith("create ", StringComparison.Ordinal))["create ".Length..];
        Assert.Equal([$"create {created}", $"delete {created}"], calls);
        Assert.False(factory.Temporal.Schedules.ContainsKey(created));
        await using var db = factory.CreateDbContext();
        Assert.False(await db.BatchExports.AnyAsync(e => e.TeamId == tenant.TeamId));
    }

    [Fact]
    public async Task Update_WhoseCommitFails_PutsThePreviousScheduleBack()
    {
        var (tenant, client, id, name) = await ExportAsync();
        var original = factory.Temporal.Schedules[id];
        await factory.FailOnCommitAsync(name);

        var response = await client.PatchExportAsync(tenant.TeamId, id, new JsonObject { ["interval"] = "hour" });

        Assert.Equal(HttpStatusCode.InternalServerError, response.Status);
        Assert.Equal([$"create {id}", $"create {id}", $"update {id}", $"update {id}"], CallsAbout(id));
        Assert.Same(original, factory.Temporal.Schedules[id]);
        Assert.Equal("day", (string?)(await client.GetExportAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK)["interval"]);
    }

    [Fact]
    public async Task Pause_WhoseCommitFails_UnpausesTheScheduleAgain()
    {
        var (tenant, client, id, name) = await ExportAsync();
        await factory.FailOnCommitAsync(name);

        Assert.Equal(HttpStatusCode.InternalServerError, (await client.PauseExportAsync(tenant.TeamId, id)).Status);

        Assert.Equal([$"create {id}", $"pause {id}", $"unpause {id}"], CallsAbout(id));
        Assert.False(factory.Temporal.Schedules[id].State.Paused);
        Assert.False((bool)(await client.GetExportAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK)["paused"]!);
    }

    [Fact]
    public async Task Delete_WhoseCommitFails_RecreatesTheSchedule()
    {
        var (tenant, client, id, name) = await ExportAsync();
        var original = factory.Temporal.Schedules[id];
        await factory.FailOnCommitAsync(name);

        Assert.Equal(HttpStatusCode.InternalServerError, (await client.DeleteExportAsync(tenant.TeamId, id)).Status);

        Assert.Equal([$"create {id}", $"delete {id}", $"create {id}"], CallsAbout(id));
        var recreated = factory.Temporal.Schedules[id];
        Assert.Equal(original.Spec.Calendars.Count, recreated.Spec.Calendars.Count);
        Assert.Equal(((ScheduleActionStartWorkflow)original.Action).Workflow, ((ScheduleActionStartWorkflow)recreated.Action).Workflow);
        (await client.GetExportAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Backfill_WhoseCommitFails_TerminatesTheWorkflowItStarted()
    {
        var (tenant, client, id, _) = await ExportAsync(interval: "hour");
        await factory.FailOnCommitAsync(id);

        var response = await client.PostAsync($"{ExportsPath(tenant.TeamId)}/{id}/backfills/",
            new JsonObject { ["start_at"] = "2024-01-01T00:00:00Z", ["end_at"] = "2024-01-03T00:00:00Z" });

        Assert.Equal(HttpStatusCode.InternalServerError, response.Status);
        var workflowId = $"{id}-Backfill-2024-01-01T00:00:00+00:00-2024-01-03T00:00:00+00:00";
        Assert.Equal([$"start backfill-batch-export {workflowId} on batch-exports-task-queue", $"terminate {workflowId}"], CallsAbout(workflowId));
        await using var db = factory.CreateDbContext();
        Assert.False(await db.BatchExportBackfills.AnyAsync(b => b.BatchExportId == Guid.Parse(id)));
    }

    [Fact]
    public async Task FileDownload_WhoseCommitFails_TerminatesTheWorkflowItStarted_AndLeavesNoDownload()
    {
        var tenant = await factory.CreateTenantAsync();
        await factory.FailOnCommitAsync(tenant.TeamId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var before = factory.Temporal.Calls.Count;

        var response = await factory.CreateApiClient(tenant.ApiKey).PostAsync($"/api/projects/{tenant.TeamId}/file_download_batch_exports/", new JsonObject
        {
            ["file"] = new JsonObject { ["format"] = "JSONLines" },
            ["data_interval_start"] = "2024-03-04T00:00:00Z",
            ["data_interval_end"] = "2024-03-05T00:00:00Z",
        });

        Assert.Equal(HttpStatusCode.InternalServerError, response.Status);
        var calls = factory.Temporal.Calls.Skip(before).ToList();
        var workflowId = Assert.Single(calls, c => c.StartsWith("start file-download-export ", StringComparison.Ordinal)).Split(' ')[2];
        Assert.EndsWith("-2024-03-04T00:00:00Z-2024-03-05T00:00:00Z", workflowId, StringComparison.Ordinal);
        Assert.Equal([$"start file-download-export {workflowId} on batch-exports-task-queue", $"terminate {workflowId}"], calls);
        await using var db = factory.CreateDbContext();
        Assert.False(await db.BatchExportOnDemands.AnyAsync(o => o.TeamId == tenant.TeamId));
    }

    private async Task<(TestTenant Tenant, ApiClient Client, string Id, string Name)> ExportAsync(string interval = "day")
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(tenant.ApiKey);
        var name = $"export-{Guid.NewGuid():N}";
        var id = (string)(await client.CreateExportOkAsync(tenant.TeamId, ExportBody(NoOpDestination(), interval: interval, name: name)))["id"]!;
        return (tenant, client, id, name);
    }

    public sealed class Factory : ApiFactory
    {
        private bool _triggers;

        public RecordingTemporal Temporal { get; } = new();

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["BatchExports:Engine:Kind"] = "Temporal",
            ["Temporal:Address"] = "127.0.0.1:1",
            ["Temporal:UnstartedRunCheckInterval"] = "1.00:00:00",
            // The failed commits are expected here; their 500 lines would only be noise.
            ["Serilog:MinimumLevel:Default"] = "Fatal",
        };

        /// <summary>
        /// From now on, a transaction that writes an export named <paramref name="key"/>, a backfill of the export
        /// with that id, or an on-demand export of the team with that id fails at COMMIT (a deferred constraint trigger).
        /// </summary>
        public async Task<string> FailOnCommitAsync(string key)
        {
            await using var db = CreateDbContext();
            if (!_triggers)
            {
                await db.Database.ExecuteSqlRawAsync("""
                    CREATE TABLE test_fail_on_commit (key text PRIMARY KEY);
                    CREATE FUNCTION test_fail_on_commit() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF EXISTS (SELECT 1 FROM test_fail_on_commit WHERE key = to_jsonb(NEW) ->> TG_ARGV[0]) THEN
                            RAISE EXCEPTION 'the test refuses this commit';
                        END IF;
                        RETURN NULL;
                    END $$;
                    CREATE CONSTRAINT TRIGGER test_fail_on_commit AFTER INSERT OR UPDATE ON batch_exports
                        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_fail_on_commit('name');
                    CREATE CONSTRAINT TRIGGER test_fail_on_commit AFTER INSERT OR UPDATE ON batch_export_backfills
                        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_fail_on_commit('batch_export_id');
                    CREATE CONSTRAINT TRIGGER test_fail_on_commit AFTER INSERT OR UPDATE ON batch_export_on_demands
                        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_fail_on_commit('team_id');
                    """);
                _triggers = true;
            }

            await db.Database.ExecuteSqlInterpolatedAsync($"INSERT INTO test_fail_on_commit (key) VALUES ({key})");
            return key;
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services =>
            {
                services.RemoveAll<ITemporalClient>();
                services.AddSingleton(Temporal.Client);
                services.RemoveAll<Microsoft.Extensions.Hosting.IHostedService>();
            });
        }
    }
}
