using Microsoft.AspNetCore.Mvc.ApiExplorer;

namespace BatchExports.Api.OpenApi;

/// <summary>
/// PostHog's (drf-spectacular's) operationIds: the path's literal segments joined by <c>_</c>, then one verb —
/// <c>list</c>, <c>retrieve</c>, <c>create</c>, <c>update</c>, <c>partial_update</c>, <c>destroy</c> — so
/// <c>POST /api/projects/{project_id}/batch_exports/{id}/pause/</c> is <c>batch_exports_pause_create</c>.
/// The project routes take the plain names, the environment routes PostHog's <c>environments_</c> prefix and the
/// organization routes <c>organizations_</c>: unique without PostHog's numbered <c>_2</c> variants, which change
/// between its versions.
/// </summary>
public static class OperationIds
{
    public static string? For(ApiDescription api)
    {
        if (api.RelativePath == null || api.HttpMethod == null)
        {
            return null;
        }

        var segments = api.RelativePath.Split('?')[0].Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Where(s => s != "api").ToList();
        var literals = segments.Where(s => !s.StartsWith('{')).ToList();
        if (literals.Count > 1 && literals[0] == "projects")
        {
            literals.RemoveAt(0);
        }

        // A route that ends in a parameter other than the object's id (download/{part}) is a second operation beside
        // the route without it; the parameter's name tells the two apart (PostHog would number it _2).
        if (segments.Count > 0 && segments[^1].StartsWith('{') && segments[^1] != "{id}")
        {
            literals.Add(segments[^1].Trim('{', '}'));
        }

        var action = api.ActionDescriptor.RouteValues.TryGetValue("action", out var name) ? name : null;
        var verb = (action, api.HttpMethod.ToUpperInvariant()) switch
        {
            ("List", _) => "list",
            (_, "GET") => "retrieve",
            (_, "POST") => "create",
            (_, "PUT") => "update",
            (_, "PATCH") => "partial_update",
            (_, "DELETE") => "destroy",
            (_, var method) => method.ToLowerInvariant(),
        };
        return string.Join('_', literals.Append(verb));
    }
}
