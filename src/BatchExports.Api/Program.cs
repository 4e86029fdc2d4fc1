using BatchExports.Api.Commands;

// `serve` (the default) runs the API; other verbs are operator commands (see CommandLine).
return await CommandLine.RunAsync(args);

/// <summary>Exposed for WebApplicationFactory in the tests.</summary>
public partial class Program;
