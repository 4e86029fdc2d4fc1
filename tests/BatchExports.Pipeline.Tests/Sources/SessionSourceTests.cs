using BatchExports.Pipeline.Destinations.S3;
using BatchExports.Core.Domain;
using BatchExports.Core.Persistence;
using BatchExports.Pipeline.Formats;
using BatchExports.Pipeline.Sources;
using static BatchExports.Pipeline.Tests.Sources.SourceDatabase;

namespace BatchExports.Pipeline.Tests.Sources;

public sealed class SessionRows : SourceDatabase
{
    public static Guid Id(int n) => Guid.Parse($"01900000-0000-7000-8000-{n:D12}");

    protected override Task SeedAsync(BatchExportsDbContext db)
    {
        db.Sessions.AddRange(
            Full(),
            Session(2, end: At(10, 50), written: At(11, 30)),
            Session(3, end: At(9, 55), written: At(10, 5)),
            Session(4, end: At(9, 0), written: At(10, 0)),
            Session(5, end: At(11, 0), written: At(11, 0)),
            Session(6, end: At(10, 25), written: At(10, 30), teamId: 2));
        return Task.CompletedTask;
    }

    private static SourceSession Session(int n, DateTimeOffset end, DateTimeOffset written, int teamId = 1) => new()
    {
        SessionId = Id(n),
        TeamId = teamId,
        DistinctId = $"user-{n}",
        StartTimestamp = end.AddMinutes(-3),
        EndTimestamp = end,
        InsertedAt = written,
    };

    private static SourceSession Full()
    {
        var session = Session(1, end: At(10, 25), written: At(10, 30));
        session.Urls = ["https://shop.example.com/", "https://shop.example.com/pricing"];
        session.NumUniqUrls = 2;
        session.EntryCurrentUrl = "https://shop.example.com/";
        session.EntryPathname = "/";
        session.EntryHostname = "shop.example.com";
        session.EndCurrentUrl = "https://shop.example.com/pricing";
        session.EndPathname = "/pricing";
        session.EndHostname = "shop.example.com";
        session.EntryUtmSource = "google";
        session.EntryUtmCampaign = "summer";
        session.EntryUtmMedium = "cpc";
        session.EntryReferringDomain = "www.google.com";
        session.EntryGclid = "Cj0KCQjw";
        session.EntryGadSource = "1";
        session.PageviewCount = 2;
        session.AutocaptureCount = 5;
        session.ChannelType = "Paid Search";
        session.SessionDuration = 180;
        session.VitalsLcp = 1234.5;
        return session;
    }
}

/// <summary>Sessions: written in the interval for scheduled runs, ended in it for backfills.</summary>
public sealed class SessionSourceTests(SessionRows rows) : IClassFixture<SessionRows>
{
    [Fact]
    public async Task Scheduled_runs_select_sessions_written_in_the_interval_in_write_order()
    {
        var query = SourceRequests.Records(Export(ExportModels.Sessions), [], Interval, false, S3Destination.EventFields);

        var selected = await rows.RowsAsync(query);

        Assert.Equal([SessionRows.Id(4), SessionRows.Id(3), SessionRows.Id(1)], selected.Select(r => Guid.Parse((string)r["session_id"]!)));
        Assert.Equal([At(10, 0), At(10, 5), At(10, 30)], selected.Select(r => r["_inserted_at"]));
    }

    [Fact]
    public async Task Backfills_select_sessions_that_ended_in_the_interval_in_end_order()
    {
        var query = SourceRequests.Records(Export(ExportModels.Sessions), [], Interval, true, S3Destination.EventFields);

        var selected = await rows.RowsAsync(query);

        Assert.Equal([SessionRows.Id(1), SessionRows.Id(2)], selected.Select(r => Guid.Parse((string)r["session_id"]!)));
    }

    [Fact]
    public async Task Another_team_sees_only_its_own_sessions()
    {
        var selected = await rows.RowsAsync(SourceRequests.Records(Export(ExportModels.Sessions, teamId: 2), [], Interval, false, S3Destination.EventFields));

        Assert.Equal([SessionRows.Id(6)], selected.Select(r => Guid.Parse((string)r["session_id"]!)));
    }

    [Fact]
    public async Task Yields_the_session_columns_with_their_types_and_values()
    {
        var query = SourceRequests.Records(Export(ExportModels.Sessions), [], Interval, true, S3Destination.EventFields);

        var row = (await rows.RowsAsync(query))[0];

        Assert.Equal(ColumnKind.StringArray, query.Columns.Single(c => c.Name == "urls").Kind);
        Assert.Equal("session_id", query.Columns[0].Name);
        Assert.Equal("_inserted_at", query.Columns[^1].Name);
        Assert.Equal(SessionRows.Id(1).ToString(), row["session_id"]);
        Assert.Equal(1L, row["team_id"]);
        Assert.Equal("user-1", row["distinct_id"]);
        Assert.Equal(At(10, 22), row["start_timestamp"]);
        Assert.Equal(At(10, 25), row["end_timestamp"]);
        Assert.Equal(new[] { "https://shop.example.com/", "https://shop.example.com/pricing" }, row["urls"]);
        Assert.Equal(2L, row["num_uniq_urls"]);
        Assert.Equal("https://shop.example.com/", row["entry_current_url"]);
        Assert.Equal("/", row["entry_pathname"]);
        Assert.Equal("https://shop.example.com/pricing", row["end_current_url"]);
        Assert.Equal("https://shop.example.com/pricing", row["exit_current_url"]);
        Assert.Equal("/pricing", row["exit_pathname"]);
        Assert.Equal("google", row["entry_utm_source"]);
        Assert.Null(row["entry_utm_term"]);
        Assert.Equal("www.google.com", row["entry_referring_domain"]);
        Assert.Equal("Cj0KCQjw", row["entry_gclid"]);
        Assert.Null(row["entry_fbclid"]);
        Assert.Equal(2L, row["pageview_count"]);
        Assert.Equal(5L, row["autocapture_count"]);
        Assert.Equal(0L, row["screen_count"]);
        Assert.Equal("Paid Search", row["channel_type"]);
        Assert.Equal(180L, row["session_duration"]);
        Assert.Equal(false, row["is_bounce"]);
        Assert.Null(row["last_external_click_url"]);
        Assert.Equal(1234.5, row["vitals_lcp"]);
        Assert.Equal(At(10, 30), row["_inserted_at"]);

        var bare = (await rows.RowsAsync(query))[1];
        Assert.Equal(Array.Empty<string>(), bare["urls"]);
        Assert.Null(bare["vitals_lcp"]);
        Assert.Null(bare["entry_current_url"]);
    }

    [Fact]
    public async Task Stats_use_the_session_end()
    {
        var all = await rows.Source.GetAsync(Export(ExportModels.Sessions), [], null, Interval.End, CancellationToken.None);
        var from = await rows.Source.GetAsync(Export(ExportModels.Sessions), [], At(10, 0), Interval.End, CancellationToken.None);

        Assert.Equal(new SourceStats(At(9, 0), 4), all);
        Assert.Equal(new SourceStats(At(10, 25), 2), from);
    }
}
