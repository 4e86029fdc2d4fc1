using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace BatchExports.Api.OpenApi;

/// <summary>
/// Every operation says what it answers. ASP.NET documents an action's return type only when no
/// <c>[ProducesResponseType]</c> applies, and our controllers declare their error responses at class level, so
/// without this every GET, PUT, PATCH, pause, logs and runs action documented no success at all (generated clients
/// typed the results <c>never</c>). It also gives every error status PostHog's envelope and a description, and keeps
/// one content type per request body, marked required.
/// </summary>
public sealed class OperationResponsesFilter : IOperationFilter
{
    private static readonly Dictionary<string, string> ErrorDescriptions = new()
    {
        ["400"] = "Invalid input (validation_error, with the offending field in attr) or a body that cannot be parsed (invalid_request).",
        ["401"] = "No personal API key, or not a valid one (authentication_error).",
        ["403"] = "The key lacks the scope, or may not access this project or organization (authentication_error, permission_denied).",
        ["404"] = "Not found (invalid_request, not_found).",
        ["405"] = "Method not allowed (invalid_request).",
        ["413"] = "Request body too large (invalid_request, payload_too_large).",
        ["415"] = "Unsupported media type (invalid_request).",
        ["429"] = "Too many concurrent backfills or file downloads for this team, or throttled.",
        ["503"] = "A dependency is unavailable.",
    };

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        operation.Responses ??= [];
        if (!operation.Responses.Keys.Any(k => k.StartsWith('2')))
        {
            var type = SuccessType(context.MethodInfo.ReturnType);
            operation.Responses["200"] = new OpenApiResponse
            {
                Description = "OK",
                Content = type == null
                    ? null
                    : new Dictionary<string, IOpenApiMediaType>
                    {
                        ["application/json"] = new OpenApiMediaType { Schema = context.SchemaGenerator.GenerateSchema(type, context.SchemaRepository) },
                    },
            };
        }

        var method = context.ApiDescription.HttpMethod?.ToUpperInvariant();
        var hasInput = operation.RequestBody != null
            || context.ApiDescription.ParameterDescriptions.Any(p => p.Source.Id == "Query");
        if (hasInput && !operation.Responses.ContainsKey("400"))
        {
            operation.Responses["400"] = new OpenApiResponse();
        }

        if (operation.RequestBody != null)
        {
            operation.Responses.TryAdd("413", new OpenApiResponse());
            operation.Responses.TryAdd("415", new OpenApiResponse());
        }

        var error = new OpenApiSchemaReference(SchemaNames.Error, context.Document);
        foreach (var (status, response) in operation.Responses.ToList())
        {
            if (status[0] is '4' or '5' && response is OpenApiResponse concrete)
            {
                concrete.Description = ErrorDescriptions.GetValueOrDefault(status, "Error");
                concrete.Content = new Dictionary<string, IOpenApiMediaType> { ["application/json"] = new OpenApiMediaType { Schema = error } };
            }
            else if (response is OpenApiResponse success && (string.IsNullOrEmpty(success.Description) || success.Description == "Success"))
            {
                success.Description = status switch { "201" => "Created", "204" => "No Content", _ => "OK" };
            }
        }

        if (operation.RequestBody is OpenApiRequestBody body && body.Content != null)
        {
            // Required where an empty body is refused (create, PUT, PATCH, run_test_step_new); unpause, backfills
            // and run_test_step accept none (no backfill; from the earliest data; step 0 of the stored config).
            body.Required = context.ApiDescription.ParameterDescriptions
                .Any(p => p.Source.Id == "Body" && p.Type.Name is "BatchExportWriteRequest" or "DestinationTestStepRequest");
            if (body.Content.TryGetValue("application/json", out var json))
            {
                body.Content = new Dictionary<string, IOpenApiMediaType> { ["application/json"] = json };
            }
        }

        operation.Responses = Sorted(operation.Responses);
    }

    private static OpenApiResponses Sorted(OpenApiResponses responses)
    {
        var sorted = new OpenApiResponses();
        foreach (var (status, response) in responses.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            sorted[status] = response;
        }

        return sorted;
    }

    /// <summary><c>Task&lt;ActionResult&lt;T&gt;&gt;</c> → <c>T</c>; null for bodiless results.</summary>
    private static Type? SuccessType(Type type)
    {
        while (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            if (definition == typeof(Task<>) || definition == typeof(ValueTask<>) || definition == typeof(ActionResult<>))
            {
                type = type.GetGenericArguments()[0];
                continue;
            }

            break;
        }

        return type == typeof(Task) || type == typeof(void) || typeof(IActionResult).IsAssignableFrom(type) ? null : type;
    }
}
