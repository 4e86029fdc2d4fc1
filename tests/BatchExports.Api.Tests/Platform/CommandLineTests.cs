using System.Diagnostics;
using System.Net;
using BatchExports.Testing;

namespace BatchExports.Api.Tests.Platform;

/// <summary>
/// The operator commands as an operator runs them: a separate process, the same configuration as the server, only
/// the result on stdout (so scripts can capture it), errors on stderr with a non-zero exit.
/// </summary>
public sealed class CommandLineTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "BatchExports.Api.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ConnectionStrings__BatchExports"] = factory.ConnectionString;
        start.Environment["BatchExports__EncryptionKey"] = ApiFactory.EncryptionKey;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // A command that never ends (a server that should have refused to start) fails this test, not the whole run.
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"'{string.Join(' ', args)}' was still running after 2 minutes.");
        }

        return (process.ExitCode, (await stdout).Trim(), (await stderr).Trim());
    }

    [Fact]
    public async Task CreateOrganizationTeamAndKey_PrintOnlyTheirResults_AndTheKeyWorks()
    {
        var organization = await RunAsync("create-organization", "--name", "Acme");
        Assert.Equal(0, organization.ExitCode);
        Assert.True(Guid.TryParse(organization.Stdout, out _), organization.Stdout);

        var team = await RunAsync("create-team", "--organization", organization.Stdout, "--name", "Web");
        Assert.Equal(0, team.ExitCode);
        Assert.Matches("^[0-9]+$", team.Stdout);

        var key = await RunAsync(
            "create-api-key", "--email", "ops@acme.example", "--organization", organization.Stdout,
            "--scopes", "batch_export:read", "--teams", team.Stdout, "--label", "ci");
        Assert.Equal(0, key.ExitCode);
        Assert.Matches("^phx_[A-Za-z0-9]{43}$", key.Stdout);

        var client = factory.CreateApiClient(key.Stdout);
        (await client.GetAsync($"/api/projects/{team.Stdout}/batch_exports/")).Expect(HttpStatusCode.OK);
        (await client.PostAsync($"/api/projects/{team.Stdout}/batch_exports/", BatchExportsOperations.ExportBody())).ExpectError(
            HttpStatusCode.Forbidden, "authentication_error", "API key missing required scope 'batch_export:write'");
    }

    [Theory]
    [InlineData(new[] { "create-team", "--organization", "not-a-uuid", "--name", "x" }, "--organization must be a UUID.")]
    [InlineData(new[] { "create-team", "--organization", "00000000-0000-0000-0000-000000000001", "--name", "x" }, "does not exist")]
    [InlineData(new[] { "create-organization" }, "--name is required.")]
    [InlineData(new[] { "create-api-key", "--email", "a@b.c", "--organization", "00000000-0000-0000-0000-000000000001", "--scopes", "everything" }, "'everything' is not a scope")]
    [InlineData(new[] { "frobnicate" }, "Unknown command 'frobnicate'.")]
    public async Task BadArguments_ExitNonZero_WithTheReasonOnStderrAndNothingOnStdout(string[] args, string reason)
    {
        var result = await RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains(reason, result.Stderr);
    }

    [Fact]
    public async Task Migrate_OnAnUpToDateDatabase_Succeeds()
    {
        var result = await RunAsync("migrate");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("Migrations applied.", result.Stdout);
    }

    [Fact]
    public async Task Serve_WithAnUnknownEngineKind_StopsAtStartUpNamingTheSupportedKinds()
    {
        var result = await RunAsync("serve", "--BatchExports:Engine:Kind=Kafka", "--urls=http://127.0.0.1:0");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: Unknown BatchExports:Engine:Kind 'Kafka'. Supported engines: Embedded, Temporal.", result.Stderr);
    }
}
