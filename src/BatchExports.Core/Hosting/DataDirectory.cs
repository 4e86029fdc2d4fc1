namespace BatchExports.Core.Hosting;

/// <summary>Finds the data directory: configured, else <c>.data/</c> beside <c>BatchExports.sln</c>, else <c>./.data</c>.</summary>
public static class DataDirectory
{
    public static string Resolve(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "BatchExports.sln")))
                {
                    return Path.Combine(dir.FullName, ".data");
                }
            }
        }

        return Path.GetFullPath(".data");
    }
}
