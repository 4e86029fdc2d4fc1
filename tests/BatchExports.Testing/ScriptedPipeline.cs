using System.Collections.Concurrent;
using BatchExports.Pipeline.Runs;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BatchExports.Testing;

/// <summary>
/// An export pipeline whose attempts the test writes, so engine tests decide how each run ends (the engine, the
/// lifecycle, PostgreSQL and HTTP around it stay real). A run without a script left fails its attempt.
/// </summary>
public sealed class ScriptedPipeline : IRunPipeline
{
    private readonly ConcurrentDictionary<Guid, ConcurrentQueue<Func<RunContext, RunOutcome>>> _scripts = new();

    public void Script(Guid runId, params Func<RunContext, RunOutcome>[] attempts) => _scripts[runId] = new(attempts);

    public Task<RunOutcome> ExecuteAsync(RunContext context, CancellationToken cancellationToken) =>
        _scripts.TryGetValue(context.Run.Id, out var attempts) && attempts.TryDequeue(out var attempt)
            ? Task.FromResult(attempt(context))
            : throw new InvalidOperationException($"No scripted attempt left for run {context.Run.Id}.");
}

/// <summary>An <see cref="EngineApiFactory"/> whose runs go through a <see cref="ScriptedPipeline"/>, with optional extra settings.</summary>
public class ScriptedEngineApiFactory(IReadOnlyDictionary<string, string?>? extraSettings = null) : EngineApiFactory
{
    public ScriptedPipeline Pipeline { get; } = new();

    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = base.Settings;
            foreach (var (key, value) in extraSettings ?? new Dictionary<string, string?>())
            {
                settings[key] = value;
            }

            return settings;
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<IRunPipeline>();
            services.AddSingleton<IRunPipeline>(Pipeline);
        });
    }
}
