using System.Net;
using System.Net.Http.Headers;
using BatchExports.Core.Domain;
using BatchExports.Pipeline.Formats;
using BatchExports.Pipeline.Runs;

namespace BatchExports.Pipeline.Destinations.Http;

/// <summary>
/// PostHog's HTTP destination, for PostHog-to-PostHog migrations (worker spec §4.6): the interval's events are POSTed
/// to the config's <c>url</c> in batches of at most <see cref="MaxBatchRecords"/> events and about
/// <see cref="MaxBatchBytes"/> bytes. A 4xx answer (except 429) fails the run; 429, 5xx and network failures are
/// retried by the engine. A retry sends the interval again; PostHog keeps one copy of events sharing a uuid.
/// </summary>
public sealed class HttpDestination(IHttpClientFactory httpClients) : IDestination
{
    public const string HttpClientName = "batch-exports-http-destination";

    /// <summary>PostHog's <c>BATCH_EXPORT_HTTP_BATCH_SIZE</c>.</summary>
    public const int DefaultMaxBatchRecords = 5000;

    /// <summary>
    /// PostHog flushes at 50 MiB of events; PostHog's capture endpoints refuse bodies well below that, so batches stay
    /// under 20 MiB.
    /// </summary>
    public const int DefaultMaxBatchBytes = 20 * 1024 * 1024;

    /// <summary>The fields PostHog's HTTP export reads.</summary>
    public static readonly IReadOnlyList<string> EventFields = ["uuid", "timestamp", "_inserted_at", "event", "properties", "distinct_id", "elements_chain"];

    private const int ResponseExcerptLength = 500;

    public string Type => HttpDefinition.TypeName;

    internal int MaxBatchRecords { get; init; } = DefaultMaxBatchRecords;

    /// <summary>A batch is sent once its body reaches this size, so a body exceeds it by at most one event.</summary>
    internal int MaxBatchBytes { get; init; } = DefaultMaxBatchBytes;

    IReadOnlyList<string>? IDestination.EventFields => EventFields;

    public int BatchSize { get; init; } = 1000;

    public async Task<RunOutcome> ExportAsync(RunContext context, RecordStream records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(records);
        if (context.Export.Model != ExportModels.Events)
        {
            throw new NonRetryableExportException($"HTTP batch exports only export events, not {context.Export.Model}.");
        }

        if (context.Export.Schema is not null)
        {
            throw new NonRetryableExportException("HTTP batch exports do not support a custom schema.");
        }

        var url = DestinationConfig.RequiredString(context.Config, "url");
        var token = DestinationConfig.RequiredString(context.Config, "token");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new NonRetryableExportException($"The destination URL '{url}' is not an absolute http:// or https:// URL.");
        }

        var fields = new FieldIndexes(records.Columns);
        var batch = await records.NextAsync();
        if (batch is null)
        {
            return await ExportMessages.NoDataAsync(context, cancellationToken);
        }

        var client = httpClients.CreateClient(HttpClientName);
        using var body = new HttpEventBatch(token);
        long sent = 0;
        long bytes = 0;
        for (; batch is not null; batch = await records.NextAsync())
        {
            foreach (var row in batch.Rows)
            {
                body.Add(
                    row[fields.Uuid] as string,
                    row[fields.DistinctId] as string,
                    row[fields.Timestamp] as DateTimeOffset?,
                    row[fields.Event] as string,
                    row[fields.Properties] as string,
                    row[fields.ElementsChain] as string);
                if (body.Count >= MaxBatchRecords || body.Bytes >= MaxBatchBytes)
                {
                    sent += body.Count;
                    bytes += await PostAsync(client, uri, body, token, cancellationToken);
                }
            }
        }

        if (body.Count > 0)
        {
            sent += body.Count;
            bytes += await PostAsync(client, uri, body, token, cancellationToken);
        }

        return new RunOutcome(sent, bytes);
    }

    /// <summary>Sends the batch and clears it; returns the bytes sent.</summary>
    private static async Task<long> PostAsync(HttpClient client, Uri url, HttpEventBatch batch, string token, CancellationToken cancellationToken)
    {
        var payload = batch.Finish();
        using var content = new ReadOnlyMemoryContent(payload);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        HttpResponseMessage response;
        try
        {
            response = await client.PostAsync(url, content, cancellationToken);
        }
        catch (TaskCanceledException timeout) when (!cancellationToken.IsCancellationRequested)
        {
            var shown = new UriBuilder(url) { UserName = "", Password = "" }.Uri;
            throw new TimeoutException($"POST to {shown} timed out after {client.Timeout.TotalSeconds:0} seconds.", timeout);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var status = (int)response.StatusCode;
                var excerpt = Redact(await ExcerptAsync(response, cancellationToken), token);
                if (status == (int)HttpStatusCode.TooManyRequests || status >= 500)
                {
                    throw new RetryableResponseException($"RetryableResponseError (status: {status}): {excerpt}");
                }

                throw new NonRetryableExportException($"NonRetryableResponseError (status: {status}): {excerpt}");
            }
        }

        var length = payload.Length;
        batch.Clear();
        return length;
    }

    private static async Task<string> ExcerptAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return text.Length <= ResponseExcerptLength ? text : text[..ResponseExcerptLength] + "…";
    }

    // A server may echo the request back; the project token must not reach the run's error.
    private static string Redact(string text, string token) =>
        token.Length >= 4 ? text.Replace(token, "***", StringComparison.Ordinal) : text;

    private sealed class FieldIndexes(IReadOnlyList<Column> columns)
    {
        public int Uuid { get; } = IndexOf(columns, "uuid");

        public int DistinctId { get; } = IndexOf(columns, "distinct_id");

        public int Timestamp { get; } = IndexOf(columns, "timestamp");

        public int Event { get; } = IndexOf(columns, "event");

        public int Properties { get; } = IndexOf(columns, "properties");

        public int ElementsChain { get; } = IndexOf(columns, "elements_chain");

        private static int IndexOf(IReadOnlyList<Column> columns, string name) => columns.ToList().FindIndex(c => c.Name == name);
    }
}

/// <summary>The destination answered 429 or 5xx: the engine retries the run.</summary>
public sealed class RetryableResponseException(string message) : Exception(message);
