using BatchExports.Api.Auth;
using BatchExports.Api.Errors;
using BatchExports.Api.Health;
using BatchExports.Api.Json;
using BatchExports.Api.Logging;
using BatchExports.Api.OpenApi;
using BatchExports.Core;
using BatchExports.Core.Hosting;
using BatchExports.Core.Json;
using BatchExports.Api.Validation;
using FluentValidation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Serilog;

namespace BatchExports.Api.Hosting;

/// <summary>Builds the web application: the HTTP surface over the Core services and the configured engine.</summary>
public static class ApiHost
{
    public const string DefaultUrls = "http://127.0.0.1:8000";

    /// <summary>Serilog from the <c>Serilog</c> section, with keys masked whatever a framework logs.</summary>
    public static LoggerConfiguration ConfigureLogging(LoggerConfiguration logger, IConfiguration configuration) => logger
        .ReadFrom.Configuration(configuration)
        .Enrich.FromLogContext()
        .Enrich.With<SecretRedactingEnricher>();

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrls);
        }

        builder.Services.AddSerilog((services, logger) => ConfigureLogging(logger, services.GetRequiredService<IConfiguration>()));

        builder.Services.AddBatchExportsCore(builder.Configuration);
        builder.Services.AddExportEngine(builder.Configuration);
        builder.Services.AddValidatorsFromAssemblyContaining<ValidationFilter>(ServiceLifetime.Singleton);
        builder.Services.AddSingleton<DatabaseLocation>();
        builder.Services.AddSingleton<IDatabaseConnection>(provider => provider.GetRequiredService<DatabaseLocation>());

        var maxBody = builder.Configuration.GetValue<long?>($"{BatchExportsOptions.SectionName}:MaxRequestBodyBytes") ?? new BatchExportsOptions().MaxRequestBodyBytes;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = maxBody;
            kestrel.AddServerHeader = false;
        });

        builder.Services
            .AddControllers(options =>
            {
                options.InputFormatters.Insert(0, new JsonBodyInputFormatter());
                options.Filters.Add<AccessFilter>();
                options.Filters.Add<ValidationFilter>();
                options.SuppressAsyncSuffixInActionNames = false;
            })
            .ConfigureApiBehaviorOptions(options =>
            {
                // Errors are PostHog's envelope, produced by ValidationFilter and the status-code pages, not ProblemDetails.
                options.SuppressModelStateInvalidFilter = true;
                options.SuppressMapClientErrors = true;
            })
            .AddJsonOptions(options => WireJson.Configure(options.JsonSerializerOptions));

        builder.Services.AddAuthentication(PersonalApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, PersonalApiKeyAuthenticationHandler>(PersonalApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(PersonalApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build());

        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        builder.Services.AddApiDocumentation();

        var app = builder.Build();
        app.UseRequestLogging();
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = _ => Task.CompletedTask });
        app.UseErrorEnvelopesForEmptyResponses();
        app.UseApiDocumentation();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthEndpoints();
        app.MapControllers();
        return app;
    }
}
