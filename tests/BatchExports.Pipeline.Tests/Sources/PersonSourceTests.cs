using BatchExports.Pipeline.Destinations.S3;
using BatchExports.Core.Domain;
using BatchExports.Core.Persistence;
using BatchExports.Pipeline.Formats;
using BatchExports.Pipeline.Sources;
using static BatchExports.Pipeline.Tests.Sources.SourceDatabase;

namespace BatchExports.Pipeline.Tests.Sources;

public sealed class PersonRows : SourceDatabase
{
    public static Guid Id(int n) => Guid.Parse($"00000000-0000-4000-8000-{n:D12}");

    protected override Task SeedAsync(BatchExportsDbContext db)
    {
        // Person changed in the interval, its distinct id before it.
        Add(1, At(10, 30), ("d1", At(8, 0)));
        // Distinct id changed in the interval, its person before it.
        Add(2, At(7, 0), ("d2", At(10, 10)));
        // Neither changed in the interval.
        Add(3, At(6, 0), ("d3", At(6, 0)));
        // Both changed: the earlier change is the row's time; a second distinct id comes with its changed person.
        Add(4, At(10, 20), ("d4a", At(10, 5)), ("d4b", At(5, 0)));
        // Changed in the interval and again after it: the change in the interval is the row's time.
        Add(5, At(10, 40), ("d5", At(12, 0)));
        Add(6, At(12, 30), ("d6", At(10, 50)));
        // Interval bounds: start inclusive, end exclusive.
        Add(7, At(10, 0), ("d7", At(1, 0)));
        Add(8, At(11, 0), ("d8", At(1, 0)));
        Add(9, At(9, 0), ("d9", At(11, 0)));
        // A deleted person is exported, marked deleted.
        Add(10, At(10, 45), ("d10", At(2, 0)));
        db.Persons.Local.Single(p => p.Id == Id(10)).IsDeleted = true;
        // Another team, even with a distinct id that team 1 also has.
        Add(11, At(10, 30), ("d1", At(10, 30)), teamId: 2);
        return Task.CompletedTask;

        void Add(int n, DateTimeOffset personChanged, (string DistinctId, DateTimeOffset Changed) distinctId, (string DistinctId, DateTimeOffset Changed)? other = null, int teamId = 1)
        {
            db.Persons.Add(new SourcePerson
            {
                Id = Id(n),
                TeamId = teamId,
                Properties = $$"""{"email": "p{{n}}@example.com"}""",
                Version = n,
                CreatedAt = At(0, n),
                InsertedAt = personChanged,
            });
            foreach (var (id, changed) in other is { } second ? new[] { distinctId, second } : new[] { distinctId })
            {
                db.PersonDistinctIds.Add(new SourcePersonDistinctId { TeamId = teamId, DistinctId = id, PersonId = Id(n), Version = 100 + n, InsertedAt = changed });
            }
        }
    }
}

/// <summary>Persons: one row per distinct id whose person or distinct-id row changed in the interval.</summary>
public sealed class PersonSourceTests(PersonRows rows) : IClassFixture<PersonRows>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Selects_distinct_ids_whose_person_or_mapping_changed_in_the_interval_in_change_order(bool isBackfill)
    {
        var query = SourceRequests.Records(Export(ExportModels.Persons), [], Interval, isBackfill, S3Destination.EventFields);

        var selected = await rows.RowsAsync(query);

        Assert.Equal(
            [
                ("d7", At(10, 0)), ("d4a", At(10, 5)), ("d2", At(10, 10)), ("d4b", At(10, 20)), ("d1", At(10, 30)),
                ("d5", At(10, 40)), ("d10", At(10, 45)), ("d6", At(10, 50)),
            ],
            selected.Select(r => ((string)r["distinct_id"]!, (DateTimeOffset)r["_inserted_at"]!)));
    }

    [Fact]
    public async Task Yields_PostHog_person_columns_with_their_types()
    {
        var query = SourceRequests.Records(Export(ExportModels.Persons), [], Interval, false, S3Destination.EventFields);

        var selected = await rows.RowsAsync(query);

        Assert.Equal(
            [
                new Column("team_id", ColumnKind.Int64), new Column("distinct_id", ColumnKind.String), new Column("person_id", ColumnKind.String),
                new Column("properties", ColumnKind.Json), new Column("person_distinct_id_version", ColumnKind.Int64),
                new Column("person_version", ColumnKind.Int64), new Column("created_at", ColumnKind.Timestamp),
                new Column("_inserted_at", ColumnKind.Timestamp), new Column("is_deleted", ColumnKind.Boolean),
            ],
            query.Columns);
        Assert.Equal(
            new Dictionary<string, object?>
            {
                ["team_id"] = 1L, ["distinct_id"] = "d4b", ["person_id"] = PersonRows.Id(4).ToString(),
                ["properties"] = """{"email": "p4@example.com"}""", ["person_distinct_id_version"] = 104L, ["person_version"] = 4L,
                ["created_at"] = At(0, 4), ["_inserted_at"] = At(10, 20), ["is_deleted"] = false,
            },
            selected.Single(r => (string)r["distinct_id"]! == "d4b"));
        Assert.Equal([true], selected.Where(r => (string)r["distinct_id"]! == "d10").Select(r => r["is_deleted"]));
    }

    [Fact]
    public async Task Another_team_sees_only_its_own_persons()
    {
        var query = SourceRequests.Records(Export(ExportModels.Persons, teamId: 2), [], Interval, false, S3Destination.EventFields);

        var selected = await rows.RowsAsync(query);

        Assert.Equal([("d1", PersonRows.Id(11).ToString())], selected.Select(r => ((string)r["distinct_id"]!, (string)r["person_id"]!)));
    }

    [Fact]
    public async Task Stats_count_and_date_what_the_records_select()
    {
        var stats = await rows.Source.GetAsync(Export(ExportModels.Persons), [], null, Interval.End, CancellationToken.None);
        var from = await rows.Source.GetAsync(Export(ExportModels.Persons), [], At(10, 0), Interval.End, CancellationToken.None);

        Assert.Equal(new SourceStats(At(1, 0), 11), stats);
        // As many as the interval's records, from the earliest of their times (a person changed at the start).
        Assert.Equal(new SourceStats(At(10, 0), 8), from);
    }
}
