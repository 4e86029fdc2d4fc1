namespace BatchExports.Core.Domain;

public static class LogLevels
{
    public const string Debug = "DEBUG";
    public const string Info = "INFO";
    public const string Warning = "WARNING";
    public const string Error = "ERROR";

    public static readonly IReadOnlyList<string> All = [Debug, "LOG", Info, Warning, Error];
}
