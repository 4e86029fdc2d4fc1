using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace BatchExports.Api.OpenApi;

/// <summary>
/// Paths as PostHog publishes them: a trailing slash (the server accepts both, but tools built from the document
/// only call what it lists, and PostHog's curl examples use the slash), path parameters named
/// <c>project_id</c> / <c>environment_id</c> where our routes say <c>team_id</c>, the environment alias deprecated,
/// and one tag per resource.
/// </summary>
public sealed class PostHogPathsFilter : IDocumentFilter
{
    public static readonly IReadOnlyList<(string Name, string Description)> Tags =
    [
        ("batch_exports", "Scheduled exports of events, persons or sessions to a destination: create, update, pause, unpause, delete, test a destination, read logs."),
        ("batch_export_runs", "The runs of a batch export, one per data interval: list, retrieve, cancel, retry, read a run's logs."),
        ("batch_export_backfills", "Backfills re-export a past period, one run per interval: create, list, retrieve, cancel."),
        ("projects", "The projects (teams) a personal API key may access; their ids go in the other paths."),
        ("organizations", "The organizations a personal API key may access."),
    ];

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        var paths = new OpenApiPaths();
        foreach (var (path, item) in document.Paths.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var family = path.StartsWith("/api/environments/", StringComparison.Ordinal) ? "environment_id" : "project_id";
            var renamed = path.Replace("{team_id}", "{" + family + "}", StringComparison.Ordinal);
            if (!renamed.EndsWith('/'))
            {
                renamed += "/";
            }

            foreach (var operation in item.Operations?.Values.AsEnumerable() ?? [])
            {
                foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
                {
                    if (parameter is { In: ParameterLocation.Path, Name: "team_id" })
                    {
                        parameter.Name = family;
                        parameter.Description = family == "project_id"
                            ? "Project ID of the project you're trying to access. To find the ID of the project, make a call to /api/projects/."
                            : "The project (environment) id; /api/environments/{environment_id}/ is an alias of /api/projects/{project_id}/.";
                    }
                }

                operation.Tags = new HashSet<OpenApiTagReference> { new(TagFor(renamed), document) };

                // As in PostHog's schema: the environment routes are an alias kept for older clients.
                operation.Deprecated |= family == "environment_id";
            }

            paths[renamed] = item;
        }

        document.Paths = paths;
        document.Tags = Tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }).ToHashSet();
    }

    private static string TagFor(string path) =>
        path.Contains("/runs/", StringComparison.Ordinal) ? "batch_export_runs"
        : path.Contains("/backfills/", StringComparison.Ordinal) ? "batch_export_backfills"
        : path.Contains("/batch_exports/", StringComparison.Ordinal) ? "batch_exports"
        : path.StartsWith("/api/organizations/", StringComparison.Ordinal) ? "organizations"
        : "projects";
}
