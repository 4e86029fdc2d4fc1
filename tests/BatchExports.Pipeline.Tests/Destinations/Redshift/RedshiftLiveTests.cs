using BatchExports.Pipeline.Tests.Sources;
using BatchExports.Testing;
using System.Text.Json.Nodes;
using Amazon.S3.Model;
using BatchExports.Core.Domain;
using BatchExports.Pipeline.Destinations.Redshift;
using BatchExports.Pipeline.Destinations.S3;
using Npgsql;

namespace BatchExports.Pipeline.Tests.Destinations.Redshift;

/// <summary>
/// The Redshift destination against a real Redshift cluster, when one is given: <c>REDSHIFT_TEST_DSN</c> (an Npgsql
/// connection string or a <c>postgresql://user:password@host:5439/database</c> URI). COPY mode also needs a staging
/// bucket: <c>REDSHIFT_TEST_COPY_BUCKET</c>, <c>REDSHIFT_TEST_COPY_REGION</c>, <c>REDSHIFT_TEST_COPY_AWS_ACCESS_KEY_ID</c>,
/// <c>REDSHIFT_TEST_COPY_AWS_SECRET_ACCESS_KEY</c> and optionally <c>REDSHIFT_TEST_COPY_IAM_ROLE</c> (else the keys
/// authorize the COPY). Each test writes its own table and drops it.
/// </summary>
public sealed class RedshiftLiveTests
{
    private const string DsnVariable = "REDSHIFT_TEST_DSN";

    private static readonly DateTimeOffset InInterval = DestinationRuns.Start.AddMinutes(10);

    [Theory]
    [InlineData("varchar")]
    [InlineData("super")]
    public async Task Insert_mode_exports_events_and_persons(string propertiesDataType)
    {
        var cluster = Cluster();
        var source = await SourceData.CreateAsync();
        await source.InsertEventAsync(Guid.NewGuid(), "$pageview", InInterval, properties: """{"$browser": "Firefox", "path": "C:\\x", "q": "it's"}""");
        await source.InsertEventAsync(Guid.NewGuid(), "signed_up", InInterval.AddSeconds(1));
        await source.UpsertPersonAsync(Guid.NewGuid(), "ada", """{"plan": "paid"}""", version: 3, insertedAt: InInterval);
        var events = UniqueTable("events");
        var persons = UniqueTable("persons");
        try
        {
            var destination = new RedshiftDestination();
            var config = cluster.Config(events, propertiesDataType, mode: "INSERT");
            await destination.ExportAsync(source.Source, DestinationRuns.Context(RedshiftDefinition.TypeName, config, attempt: 1), CancellationToken.None);
            await destination.ExportAsync(source.Source, DestinationRuns.Context(RedshiftDefinition.TypeName, config, attempt: 2), CancellationToken.None);
            await destination.ExportAsync(source.Source, 
                DestinationRuns.Context(RedshiftDefinition.TypeName, cluster.Config(persons, propertiesDataType, mode: "INSERT"), ExportModels.Persons),
                CancellationToken.None);

            Assert.Equal(2L, await cluster.ScalarAsync($"SELECT count(*) FROM public.{events}"));
            var browser = propertiesDataType == "super"
                ? $"SELECT properties.\"$browser\"::varchar FROM public.{events} WHERE event = '$pageview'"
                : $"SELECT json_extract_path_text(properties, '$browser') FROM public.{events} WHERE event = '$pageview'";
            Assert.Equal("Firefox", await cluster.ScalarAsync(browser));
            Assert.Equal(3L, await cluster.ScalarAsync($"SELECT person_version FROM public.{persons} WHERE distinct_id = 'ada'"));
        }
        finally
        {
            await cluster.DropAsync(events);
            await cluster.DropAsync(persons);
        }
    }

    [Fact]
    public async Task Copy_mode_loads_the_staged_file_and_removes_it()
    {
        var cluster = Cluster();
        var copyInputs = CopyInputs();
        Assert.SkipWhen(copyInputs is null,
            "Set REDSHIFT_TEST_COPY_BUCKET, REDSHIFT_TEST_COPY_REGION, REDSHIFT_TEST_COPY_AWS_ACCESS_KEY_ID and REDSHIFT_TEST_COPY_AWS_SECRET_ACCESS_KEY to test COPY mode.");

        var source = await SourceData.CreateAsync();
        await source.InsertEventAsync(Guid.NewGuid(), "$pageview", InInterval, properties: """{"$browser": "Firefox"}""");
        var table = UniqueTable("events");
        try
        {
            var config = cluster.Config(table, "varchar", mode: "COPY");
            config["copy_inputs"] = copyInputs;
            var outcome = await new RedshiftDestination().ExportAsync(source.Source, DestinationRuns.Context(RedshiftDefinition.TypeName, config), CancellationToken.None);

            Assert.Equal(1, outcome.RecordsCompleted);
            Assert.Equal(1L, await cluster.ScalarAsync($"SELECT count(*) FROM public.{table}"));
            var staging = RedshiftCopyInputs.FromConfig(copyInputs!);
            using var s3 = S3ClientFactory.Create(staging.BucketSettings);
            var left = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = staging.Bucket, Prefix = $"batch-exports-tests/{table}" });
            Assert.Empty(left.S3Objects ?? []);
        }
        finally
        {
            await cluster.DropAsync(table);
        }
    }

    private static LiveCluster Cluster()
    {
        var dsn = Environment.GetEnvironmentVariable(DsnVariable);
        if (string.IsNullOrWhiteSpace(dsn))
        {
            Assert.Skip($"No Redshift cluster to test against: set {DsnVariable} to run this test (there is no Redshift on this machine; INSERT mode's SQL is tested against PostgreSQL in RedshiftDestinationTests).");
        }

        return new LiveCluster(dsn);
    }

    private static JsonObject? CopyInputs()
    {
        string? Get(string name) => Environment.GetEnvironmentVariable($"REDSHIFT_TEST_COPY_{name}") is { Length: > 0 } value ? value : null;
        if (Get("BUCKET") is not { } bucket || Get("REGION") is not { } region
            || Get("AWS_ACCESS_KEY_ID") is not { } keyId || Get("AWS_SECRET_ACCESS_KEY") is not { } secret)
        {
            return null;
        }

        var keys = new JsonObject { ["aws_access_key_id"] = keyId, ["aws_secret_access_key"] = secret };
        return new JsonObject
        {
            ["s3_bucket"] = bucket,
            ["region_name"] = region,
            ["s3_key_prefix"] = "batch-exports-tests/",
            ["bucket_credentials"] = keys,
            ["authorization"] = Get("IAM_ROLE") is { } role ? role : keys.DeepClone(),
        };
    }

    private static string UniqueTable(string model) => $"bx_test_{model}_{Guid.NewGuid():N}"[..32];

    private sealed class LiveCluster
    {
        private readonly NpgsqlConnectionStringBuilder _builder;

        public LiveCluster(string dsn)
        {
            if (Uri.TryCreate(dsn, UriKind.Absolute, out var uri) && uri.Scheme is "postgres" or "postgresql" or "redshift")
            {
                var userInfo = uri.UserInfo.Split(':', 2);
                _builder = new NpgsqlConnectionStringBuilder
                {
                    Host = uri.Host,
                    Port = uri.IsDefaultPort || uri.Port <= 0 ? 5439 : uri.Port,
                    Username = Uri.UnescapeDataString(userInfo[0]),
                    Password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : null,
                    Database = uri.AbsolutePath.Trim('/'),
                };
            }
            else
            {
                _builder = new NpgsqlConnectionStringBuilder(dsn);
            }
        }

        public JsonObject Config(string table, string propertiesDataType, string mode) => new()
        {
            ["host"] = _builder.Host,
            ["port"] = _builder.Port,
            ["user"] = _builder.Username,
            ["password"] = _builder.Password,
            ["database"] = _builder.Database,
            ["schema"] = "public",
            ["table_name"] = table,
            ["properties_data_type"] = propertiesDataType,
            ["mode"] = mode,
        };

        public async Task<object?> ScalarAsync(string sql)
        {
            await using var dataSource = DataSource();
            await using var command = dataSource.CreateCommand(sql);
            return await command.ExecuteScalarAsync();
        }

        public async Task DropAsync(string table)
        {
            await using var dataSource = DataSource();
            await using var command = dataSource.CreateCommand($"DROP TABLE IF EXISTS public.{table}");
            await command.ExecuteNonQueryAsync();
        }

        private NpgsqlDataSource DataSource()
        {
            var builder = new NpgsqlDataSourceBuilder(_builder.ConnectionString);
            builder.ConfigureTypeLoading(types => types.EnableTypeLoading(false));
            return builder.Build();
        }
    }
}
