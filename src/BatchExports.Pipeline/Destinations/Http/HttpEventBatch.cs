using System.Text.Json;
using BatchExports.Core.Json;
using BatchExports.Pipeline.Formats;

namespace BatchExports.Pipeline.Destinations.Http;

/// <summary>
/// One POST body for PostHog's <c>/batch/</c> endpoint, built event by event:
/// <c>{"api_key": token, "historical_migration": true, "batch": [{uuid, distinct_id, timestamp, event, properties}, …]}</c>.
/// </summary>
internal sealed class HttpEventBatch : IDisposable
{
    private const int MaxJsonDepth = 512;

    private static readonly JsonDocumentOptions PropertiesOptions = new() { MaxDepth = MaxJsonDepth };

    private readonly string _token;
    private readonly PooledBufferWriter _buffer = new(64 * 1024);
    private readonly Utf8JsonWriter _json;

    public HttpEventBatch(string token)
    {
        _token = token;
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = MinimalJsonEncoder.Instance, MaxDepth = MaxJsonDepth + 8 });
    }

    public int Count { get; private set; }

    /// <summary>The body's size so far, in bytes.</summary>
    public long Bytes => _json.BytesCommitted + _json.BytesPending;

    /// <summary>
    /// Adds one event as PostHog's HTTP export sends it: properties parsed (an empty or non-object value becomes
    /// <c>{}</c>) with <c>$geoip_disable</c> set, and the elements chain of an <c>$autocapture</c> event as
    /// <c>$elements_chain</c>.
    /// </summary>
    public void Add(string? uuid, string? distinctId, DateTimeOffset? timestamp, string? eventName, string? properties, string? elementsChain)
    {
        if (Count == 0)
        {
            _json.WriteStartObject();
            _json.WriteString("api_key", _token);
            _json.WriteBoolean("historical_migration", true);
            _json.WriteStartArray("batch");
        }

        _json.WriteStartObject();
        _json.WriteString("uuid", uuid);
        _json.WriteString("distinct_id", distinctId);
        if (timestamp is { } value)
        {
            _json.WriteString("timestamp", WireJson.FormatDateTime(value));
        }
        else
        {
            _json.WriteNull("timestamp");
        }

        _json.WriteString("event", eventName);
        var chain = eventName == "$autocapture" && !string.IsNullOrEmpty(elementsChain) ? elementsChain : null;
        WriteProperties(properties, chain);
        _json.WriteEndObject();
        Count++;
    }

    /// <summary>Closes the body and returns it; valid until <see cref="Clear"/>.</summary>
    public ReadOnlyMemory<byte> Finish()
    {
        _json.WriteEndArray();
        _json.WriteEndObject();
        _json.Flush();
        return _buffer.WrittenMemory;
    }

    public void Clear()
    {
        _buffer.Clear();
        _json.Reset(_buffer);
        Count = 0;
    }

    public void Dispose()
    {
        _json.Dispose();
        _buffer.Dispose();
    }

    private void WriteProperties(string? properties, string? elementsChain)
    {
        _json.WriteStartObject("properties");
        if (!string.IsNullOrEmpty(properties))
        {
            using var document = JsonDocument.Parse(properties, PropertiesOptions);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    // Ours are written last; a copy from the source must not repeat the key.
                    if (property.NameEquals("$geoip_disable") || (elementsChain is not null && property.NameEquals("$elements_chain")))
                    {
                        continue;
                    }

                    property.WriteTo(_json);
                }
            }
        }

        _json.WriteBoolean("$geoip_disable", true);
        if (elementsChain is not null)
        {
            _json.WriteString("$elements_chain", elementsChain);
        }

        _json.WriteEndObject();
    }
}
