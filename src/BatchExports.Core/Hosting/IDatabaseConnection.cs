namespace BatchExports.Core.Hosting;

/// <summary>The connection string of the control-plane database, however the host found it.</summary>
public interface IDatabaseConnection
{
    string ConnectionString { get; }
}
