using System.Globalization;
using System.Text;
using BatchExports.Pipeline.Formats;

namespace BatchExports.Pipeline.Tests.Formats;

/// <summary>Event-shaped rows covering the awkward cases: nulls, unicode, control characters, big numbers, odd JSON.</summary>
internal static class SampleRecords
{
    public static readonly IReadOnlyList<Column> Columns =
    [
        new("uuid", ColumnKind.String),
        new("event", ColumnKind.String),
        new("properties", ColumnKind.Json),
        new("distinct_id", ColumnKind.String),
        new("team_id", ColumnKind.Int64),
        new("timestamp", ColumnKind.Timestamp),
        new("score", ColumnKind.Float64),
        new("is_identified", ColumnKind.Boolean),
        new("urls", ColumnKind.StringArray),
        new("elements_chain", ColumnKind.String),
    ];

    public const string NestedProperties =
        """{"$browser":"Chrome","emoji":"🚀","quote":"say \"hi\"","nested":{"list":[1,2.5,null,true,"x"],"deep":{"a":{"b":{}}}},"big":12345678901234567890}""";

    public const string InvalidJson = "{not json";

    public const string PrettyJson = "{\n  \"a\": 1,\r\n  \"b\": [\n    \"line\\nbreak\"\n  ]\n}";

    public static IReadOnlyList<RecordBatch> Batches() =>
    [
        new(Columns, EdgeRows()),
        new(Columns, GeneratedRows(seed: 42, count: 700)),
        new(Columns, GeneratedRows(seed: 7, count: 1)),
    ];

    public static List<object?[]> EdgeRows() =>
    [
        new object?[Columns.Count],
        [
            "018c7f3e-0000-7000-8000-000000000001",
            "café ☕ 日本語 🎉 𝄞",
            NestedProperties,
            "a\"b\\c/d",
            long.MaxValue,
            new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1_234_560),
            1.0,
            true,
            new[] { "https://a.example/?q=1&r=<2>", null, "ünïcödé 👍" },
            "line1\nline2\r\n\ttab\u0001bell\u001f",
        ],
        [
            "018c7f3e-0000-7000-8000-000000000002",
            "",
            InvalidJson,
            "",
            long.MinValue,
            new DateTimeOffset(2024, 2, 29, 23, 59, 59, TimeSpan.Zero),
            1e300,
            false,
            Array.Empty<string?>(),
            null,
        ],
        [
            "018c7f3e-0000-7000-8000-000000000003",
            "$pageview",
            PrettyJson,
            "9007199254740993",
            9007199254740993L,
            // Sub-microsecond ticks are dropped; an instant before the epoch is a negative count of microseconds.
            new DateTimeOffset(1969, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_999),
            -1.5e-10,
            null,
            new List<string?> { "only" },
            "<a href=\"x\">",
        ],
        [
            "018c7f3e-0000-7000-8000-000000000004",
            "$autocapture",
            """[1,"two",{"three":3}]""",
            "user@example.com",
            0L,
            // A local-offset instant is written as the same instant in UTC.
            new DateTimeOffset(2024, 6, 1, 12, 30, 0, TimeSpan.FromHours(2)).AddTicks(10),
            0.1,
            true,
            new[] { (string?)null },
            "x",
        ],
        [
            "018c7f3e-0000-7000-8000-000000000005",
            "scalar json",
            "\"just a string\"",
            "d",
            -1L,
            new DateTimeOffset(2024, 1, 1, 0, 0, 0, 1, TimeSpan.Zero),
            double.Epsilon,
            false,
            null,
            "",
        ],
    ];

    public static List<object?[]> GeneratedRows(int seed, int count)
    {
        var random = new Random(seed);
        string[] events = ["$pageview", "$autocapture", "$identify", "signed up", "购买", "$screen"];
        var start = new DateTimeOffset(2024, 3, 10, 0, 0, 0, TimeSpan.Zero);
        var rows = new List<object?[]>(count);
        for (var i = 0; i < count; i++)
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            var properties = new StringBuilder();
            properties.Append(CultureInfo.InvariantCulture,
                $"{{\"$current_url\":\"https://example.com/page/{random.Next(1000)}\",\"$browser\":\"Firefox\",\"count\":{random.Next()},");
            properties.Append(CultureInfo.InvariantCulture, $"\"ratio\":{random.NextDouble().ToString("R", CultureInfo.InvariantCulture)},\"flags\":[true,false,null],");
            properties.Append(CultureInfo.InvariantCulture, $"\"$set\":{{\"email\":\"user{i}@example.com\",\"name\":\"Zoë {i}\"}}}}");
            var urlCount = random.Next(4);
            rows.Add(
            [
                new Guid(bytes).ToString(),
                events[random.Next(events.Length)],
                random.Next(10) == 0 ? null : properties.ToString(),
                $"distinct-{random.Next(50)}",
                random.NextInt64(long.MinValue, long.MaxValue),
                start.AddTicks(random.NextInt64(TimeSpan.TicksPerDay)),
                random.Next(10) == 0 ? null : random.NextDouble() * 1e6,
                random.Next(3) switch { 0 => null, 1 => true, _ => false },
                random.Next(5) == 0 ? null : Enumerable.Range(0, urlCount).Select(u => (string?)$"https://example.com/{i}/{u}").ToArray(),
                random.Next(2) == 0 ? null : $"a.button:nth-child({i})",
            ]);
        }

        return rows;
    }
}
