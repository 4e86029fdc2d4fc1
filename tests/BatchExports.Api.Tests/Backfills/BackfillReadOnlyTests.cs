using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using static BatchExports.Testing.RunsAndBackfillsOperations;

namespace BatchExports.Api.Tests.Backfills;

/// <summary>PostHog's <c>backfills/test_read_only.py</c>: backfills cannot be updated or deleted.</summary>
public sealed class BackfillReadOnlyTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public async Task UpdateOrDelete_Is405_AndLeavesTheBackfill(string method)
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var backfill = await factory.BackfillAsync(tenant.TeamId, id, BackfillStatuses.Running);

        var response = await client.SendAsync(
            new HttpMethod(method), $"{BackfillsPath(tenant.TeamId, id)}/{backfill.Id}/", method == "DELETE" ? null : new JsonObject { ["status"] = "Cancelled" });

        response.ExpectError(HttpStatusCode.MethodNotAllowed, "invalid_request", $"Method \"{method}\" not allowed.", null, "method_not_allowed");
        await using var db = factory.CreateDbContext();
        Assert.Equal(BackfillStatuses.Running, await db.BatchExportBackfills.Where(b => b.Id == backfill.Id).Select(b => b.Status).SingleAsync());
    }
}
