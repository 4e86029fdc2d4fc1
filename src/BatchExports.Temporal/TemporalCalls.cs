using BatchExports.Core.Errors;
using Microsoft.Extensions.Options;
using Temporalio.Exceptions;

namespace BatchExports.Temporal;

/// <summary>
/// Runs one call to Temporal for a change the user asked for, and turns "Temporal refused" or "Temporal is away"
/// into <see cref="EngineUnavailableException"/> (503, naming the address tried) so the caller's transaction rolls
/// back and nothing is saved — PostHog answers 500 there and leaves users guessing (PH#21245).
/// </summary>
public sealed class TemporalCalls(IOptions<TemporalOptions> options)
{
    public string Address => options.Value.Address;

    public async Task RunAsync(string what, Func<Task> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            await call();
        }
        catch (Exception exception) when (Translate(what, exception) is { } unavailable)
        {
            throw unavailable;
        }
    }

    /// <summary>A not-found answer, which callers decide about themselves (ignored on delete, a 400 on pause).</summary>
    public static bool IsNotFound(Exception exception) => exception is RpcException { Code: RpcException.StatusCode.NotFound };

    public EngineUnavailableException? Translate(string what, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var (address, ns) = (options.Value.Address, options.Value.Namespace);
        return exception switch
        {
            _ when IsNotFound(exception) => null,
            RpcException { Code: RpcException.StatusCode.Unavailable or RpcException.StatusCode.DeadlineExceeded } =>
                new EngineUnavailableException($"Temporal at {address} could not be reached to {what}; nothing was saved. Try again once it is available.", exception),
            RpcException rpc =>
                new EngineUnavailableException($"Temporal at {address} (namespace '{ns}') refused to {what} ({rpc.Code}: {rpc.Message}); nothing was saved.", exception),
            // The lazy client connects on first use; a refused or unresolvable address surfaces here.
            InvalidOperationException when exception.Message.StartsWith("Connection failed", StringComparison.Ordinal) =>
                new EngineUnavailableException($"Temporal at {address} could not be reached to {what}; nothing was saved. Try again once it is available.", exception),
            _ => null,
        };
    }
}
