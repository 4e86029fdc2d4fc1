using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BatchExports.Api.Errors;
using BatchExports.Core.Errors;
using BatchExports.Core.Hosting;
using BatchExports.Core.Json;
using Microsoft.AspNetCore.Mvc.Formatters;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace BatchExports.Api.Json;

/// <summary>
/// Reads JSON request bodies the way PostHog (Django REST framework) does, and fails the way it does:
/// malformed JSON is a 400 <c>parse_error</c>; a value of the wrong type is a 400 <c>validation_error</c> whose
/// <c>attr</c> names the field (nested keys joined with <c>__</c>); an oversized body is a 413. Unknown keys are ignored.
/// An empty body reads as <c>{}</c>, so optional bodies take their defaults and required-field errors name the field.
/// </summary>
public sealed class JsonBodyInputFormatter : TextInputFormatter
{
    public JsonBodyInputFormatter()
    {
        SupportedEncodings.Add(Encoding.UTF8);
        SupportedMediaTypes.Add(MediaTypeHeaderValue.Parse("application/json"));
        SupportedMediaTypes.Add(MediaTypeHeaderValue.Parse("text/json"));
        SupportedMediaTypes.Add(MediaTypeHeaderValue.Parse("application/*+json"));
    }

    /// <summary>
    /// A body without a Content-Type, or an empty one of any type (<c>curl -X POST -d ''</c> sends a form type), is read
    /// as JSON: friendlier to curl users than a 415.
    /// </summary>
    public override bool CanRead(InputFormatterContext context) =>
        string.IsNullOrEmpty(context.HttpContext.Request.ContentType)
        || context.HttpContext.Request.ContentLength == 0
        || base.CanRead(context);

    /// <summary>MVC's base refuses an empty body before reading; PostHog (DRF) reads it as an empty object.</summary>
    public override Task<InputFormatterResult> ReadAsync(InputFormatterContext context) =>
        ReadRequestBodyAsync(context, System.Text.Encoding.UTF8);

    public override async Task<InputFormatterResult> ReadRequestBodyAsync(InputFormatterContext context, Encoding encoding)
    {
        var http = context.HttpContext;
        var limit = http.RequestServices.GetRequiredService<IOptions<BatchExportsOptions>>().Value.MaxRequestBodyBytes;
        var body = await ReadLimitedAsync(http.Request, limit, http.RequestAborted);

        // DRF reads a missing body as an empty object: optional bodies get their defaults, required fields are named.
        if (body.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
        {
            body = "{}"u8.ToArray();
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException exception)
        {
            throw ApiException.Parse($"JSON parse error - {FirstSentence(exception.Message)}");
        }

        return InputFormatterResult.Success(Bind(node, context.ModelType));
    }

    /// <summary>Deserialises <paramref name="node"/> into <paramref name="modelType"/> with DRF's error semantics.</summary>
    public static object? Bind(JsonNode? node, Type modelType)
    {
        if (IsObjectModel(modelType) && node is not JsonObject)
        {
            throw new ValidationException($"Invalid data. Expected a dictionary, but got {PythonTypeName(node)}.", null, "invalid");
        }

        object? model;
        try
        {
            model = node.Deserialize(modelType, WireJson.Options);
        }
        catch (JsonException exception)
        {
            var attr = ToAttr(exception.Path);
            var detail = exception.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal)
                ? MismatchMessage(modelType, exception.Path, node)
                : exception.Message;
            throw new ValidationException(detail, attr, "invalid");
        }

        if (model is PresenceTracked tracked && node is JsonObject obj)
        {
            RecordPresence(tracked, obj);
        }

        return model;
    }

    private static void RecordPresence(PresenceTracked model, JsonObject obj)
    {
        model.SetPresentFields(obj.Select(p => p.Key).ToHashSet(StringComparer.Ordinal));
        foreach (var property in model.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetValue(model) is PresenceTracked nested
                && obj[WireJson.Options.PropertyNamingPolicy!.ConvertName(property.Name)] is JsonObject nestedObject)
            {
                RecordPresence(nested, nestedObject);
            }
        }
    }

    private static async Task<byte[]> ReadLimitedAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            throw ApiException.PayloadTooLarge(limit);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw ApiException.PayloadTooLarge(limit);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary><c>$.destination.config</c> → <c>destination__config</c>, PostHog's nested attr.</summary>
    private static string? ToAttr(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return null;
        }

        var segments = path.TrimStart('$').Split('.', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s.Split('[')[0].Trim('\'', '"', '[', ']'))
            .Where(s => s.Length > 0);
        var attr = string.Join("__", segments);
        return attr.Length == 0 ? null : attr;
    }

    private static string MismatchMessage(Type modelType, string? path, JsonNode? root)
    {
        var targetType = ResolvePathType(modelType, path);
        var value = ResolvePathValue(root, path);
        if (targetType == null)
        {
            return "Invalid value.";
        }

        targetType = Nullable.GetUnderlyingType(targetType) ?? targetType;
        if (targetType == typeof(DateTimeOffset))
        {
            return UtcDateTimeOffsetConverter.FormatMessage;
        }

        if (targetType == typeof(Guid))
        {
            return "Must be a valid UUID.";
        }

        if (IsObjectModel(targetType))
        {
            return $"Invalid data. Expected a dictionary, but got {PythonTypeName(value)}.";
        }

        return targetType != typeof(string) && targetType.IsAssignableTo(typeof(System.Collections.IEnumerable))
            ? $"Expected a list of items but got type \"{PythonTypeName(value)}\"."
            : "Invalid value.";
    }

    private static Type? ResolvePathType(Type type, string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return type;
        }

        foreach (var segment in path.TrimStart('$').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = segment.Split('[')[0];
            var property = type.GetProperties().FirstOrDefault(p => WireJson.Options.PropertyNamingPolicy!.ConvertName(p.Name) == name);
            if (property == null)
            {
                return null;
            }

            type = property.PropertyType;
        }

        return type;
    }

    private static JsonNode? ResolvePathValue(JsonNode? root, string? path)
    {
        var node = root;
        foreach (var segment in (path ?? "").TrimStart('$').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node is JsonObject obj ? obj[segment.Split('[')[0]] : null;
        }

        return node;
    }

    private static bool IsObjectModel(Type type) =>
        type == typeof(JsonObject)
        || (type.IsClass && type != typeof(string) && type != typeof(JsonNode) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(type));

    /// <summary>Python's name for a JSON value's type, as DRF's messages print it.</summary>
    public static string PythonTypeName(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "NoneType",
        JsonValueKind.String => "str",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Array => "list",
        JsonValueKind.Object => "dict",
        JsonValueKind.Number => node.ToJsonString().IndexOfAny(['.', 'e', 'E']) >= 0 ? "float" : "int",
        _ => "NoneType",
    };

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut].TrimEnd() : message;
    }
}
