using BatchExports.Pipeline.Tests.Sources;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Pipeline.Destinations.Redshift;
using BatchExports.Pipeline.Destinations.Tables;
using BatchExports.Pipeline.Formats;
using BatchExports.Pipeline.Runs;
using BatchExports.Pipeline.Sources;

namespace BatchExports.Pipeline.Tests.Destinations.Redshift;

/// <summary>
/// The Redshift-only SQL, checked as text: no Redshift runs here, so SUPER tables, <c>JSON_PARSE</c> and COPY are only
/// run by <see cref="RedshiftLiveTests"/> when a cluster is given.
/// </summary>
public sealed class RedshiftSqlTests
{
    [Fact]
    public void Super_mode_stores_JSON_columns_and_string_lists_as_SUPER()
    {
        var events = RedshiftTables.For(new BatchExport { Model = ExportModels.Events }, [], useSuper: true);
        Assert.Equal(
            "\"uuid\" VARCHAR(200), \"event\" VARCHAR(200), \"properties\" SUPER, \"elements\" VARCHAR(65535), \"set\" SUPER, \"set_once\" SUPER, "
            + "\"distinct_id\" VARCHAR(200), \"team_id\" INTEGER, \"ip\" VARCHAR(200), \"site_url\" VARCHAR(200), \"timestamp\" TIMESTAMP WITH TIME ZONE",
            SqlNames.ColumnDefinitions(events.Columns));

        var sessions = Layout(ExportModels.Sessions, useSuper: true);
        Assert.Equal("SUPER", sessions.Columns.Single(c => c.Name == "urls").SqlType);
        Assert.Equal("VARCHAR(65535)", Layout(ExportModels.Sessions, useSuper: false).Columns.Single(c => c.Name == "urls").SqlType);
        Assert.DoesNotContain(sessions.Columns, c => c.Name == "_inserted_at");
    }

    [Fact]
    public void Inserts_parse_SUPER_values_from_bound_JSON_text()
    {
        var columns = RedshiftTables.For(new BatchExport { Model = ExportModels.Events }, [], useSuper: true).Columns.Take(4).ToList();

        Assert.Equal(
            "INSERT INTO \"stage\" (\"uuid\", \"event\", \"properties\", \"elements\") VALUES ($1, $2, JSON_PARSE($3), $4), ($5, $6, JSON_PARSE($7), $8)",
            RedshiftInserts.Sql("\"stage\"", columns, 2));
    }

    [Fact]
    public void Merges_by_deleting_stale_stage_rows_and_replaced_target_rows()
    {
        var persons = Layout(ExportModels.Persons, useSuper: false);

        Assert.Equal(
            [
                "DELETE FROM \"st\" USING \"s\".\"t\" WHERE \"st\".\"team_id\" = \"s\".\"t\".\"team_id\" AND \"st\".\"distinct_id\" = \"s\".\"t\".\"distinct_id\" "
                + "AND NOT (\"st\".\"person_version\" > \"s\".\"t\".\"person_version\" OR \"st\".\"person_distinct_id_version\" > \"s\".\"t\".\"person_distinct_id_version\")",
                "DELETE FROM \"s\".\"t\" USING \"st\" WHERE \"st\".\"team_id\" = \"s\".\"t\".\"team_id\" AND \"st\".\"distinct_id\" = \"s\".\"t\".\"distinct_id\"",
                $"INSERT INTO \"s\".\"t\" ({SqlNames.ColumnList(persons.Columns)}) SELECT {SqlNames.ColumnList(persons.Columns)} FROM \"st\"",
                "DROP TABLE \"st\"",
            ],
            RedshiftDestination.MergeStatements("\"st\"", "\"s\".\"t\"", persons));
    }

    [Theory]
    [InlineData("arn:aws:iam::123456789012:role/redshift-copy", "IAM_ROLE 'arn:aws:iam::123456789012:role/redshift-copy'")]
    [InlineData("default", "IAM_ROLE default")]
    public void Copy_authorizes_with_an_IAM_role(string role, string expected)
    {
        var sql = RedshiftSql.Copy("\"st\"", Layout(ExportModels.Persons, false).Columns.Take(2).ToList(), "bucket", "p/f.jsonl.gz", "eu-west-1",
            new RedshiftAuthorization(role, null, null));

        Assert.Equal(
            $"COPY \"st\" (\"team_id\", \"distinct_id\") FROM 's3://bucket/p/f.jsonl.gz' {expected} REGION 'eu-west-1' FORMAT AS JSON 'auto' GZIP TIMEFORMAT 'auto'",
            sql);
    }

    [Fact]
    public void Copy_authorizes_with_keys_quoted_as_Redshift_literals()
    {
        var sql = RedshiftSql.Copy("\"st\"", Layout(ExportModels.Persons, false).Columns.Take(1).ToList(), "b", "k", "r",
            new RedshiftAuthorization(null, "AKIA'X", "se\\cret"));

        Assert.Contains("ACCESS_KEY_ID 'AKIA''X' SECRET_ACCESS_KEY 'se\\\\cret'", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_copy_inputs_and_never_prints_their_secrets()
    {
        var config = JsonNode.Parse("""
            {
              "mode": "COPY", "properties_data_type": "SUPER",
              "copy_inputs": {
                "s3_bucket": "staging", "region_name": "us-east-2", "s3_key_prefix": "/exports/",
                "bucket_credentials": {"aws_access_key_id": "AKIABUCKET", "aws_secret_access_key": "bucket-secret-1"},
                "authorization": {"aws_access_key_id": "AKIACOPY", "aws_secret_access_key": "copy-secret-2"}
              }
            }
            """)!.AsObject();

        var settings = RedshiftSettings.FromConfig(config);

        Assert.True(settings.UseSuper);
        var copy = settings.Copy!;
        Assert.Equal(("staging", "us-east-2", "AKIABUCKET", "bucket-secret-1"), (copy.Bucket, copy.Region, copy.BucketAccessKeyId, copy.BucketSecretAccessKey));
        Assert.Equal(new RedshiftAuthorization(null, "AKIACOPY", "copy-secret-2"), copy.Authorization);
        Assert.DoesNotContain("secret", settings.ToString().Replace("SecretAccessKey", "", StringComparison.Ordinal), StringComparison.Ordinal);
        var context = DestinationRuns.Context("Redshift", config);
        Assert.Equal($"exports/events_2024-01-01T10-00-00_2024-01-01T11-00-00_{context.Run.Id:N}_1.jsonl.gz", copy.ObjectKey(context, "events"));
    }

    [Theory]
    [InlineData("""{"mode": "COPY"}""", "Redshift COPY mode needs 'copy_inputs' (s3_bucket, region_name, authorization, bucket_credentials).")]
    [InlineData("""{"mode": "COPY", "copy_inputs": {"s3_bucket": "b", "region_name": "r", "authorization": 7, "bucket_credentials": {"aws_access_key_id": "a", "aws_secret_access_key": "s"}}}""",
        "Redshift COPY mode needs an 'authorization': an IAM role ARN, or 'aws_access_key_id' and 'aws_secret_access_key'; integrations are not supported here.")]
    [InlineData("""{"mode": "UPSERT"}""", "Mode UPSERT is not supported. Supported modes are ['COPY', 'INSERT']")]
    public void Refuses_settings_it_cannot_run(string json, string message)
    {
        var error = Assert.Throws<NonRetryableExportException>(() => RedshiftSettings.FromConfig(JsonNode.Parse(json)!.AsObject()));

        Assert.Equal(message, error.Message);
    }

    private static TableLayout Layout(string model, bool useSuper)
    {
        var export = new BatchExport { Model = model, TeamId = 1 };
        var query = SourceRequests.Records(export, new JsonObject(), new DataInterval(DestinationRuns.Start, DestinationRuns.End), false, RedshiftTables.EventFields);
        return RedshiftTables.For(export, query.Columns, useSuper);
    }
}
