using System.Globalization;
using Npgsql;

/// <summary>
/// CPU seconds (user + system, from /proc) of this process, of the PostgreSQL server (the postmaster with the backends
/// it has reaped, plus live ones), of `serve` and of the other child processes (s3rver; psql and gzip of a finished
/// baseline), between laps.
/// </summary>
sealed class CpuMeter
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux
    private readonly int _postmaster;
    private readonly int _serve;
    private (double Self, double Postgres, double Serve, double Children) _last;

    private CpuMeter(int postmaster, int serve)
    {
        (_postmaster, _serve) = (postmaster, serve);
        _last = Sample();
    }

    public static async Task<CpuMeter> StartAsync(string connectionString, int serve)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
        var backend = (int)(await command.ExecuteScalarAsync())!;
        return new CpuMeter(Stat(backend)!.Value.Parent, serve);
    }

    public string Lap()
    {
        var now = Sample();
        var text = $"bench {now.Self - _last.Self:0.0}, postgres {now.Postgres - _last.Postgres:0.0}, serve {now.Serve - _last.Serve:0.0}, other children {now.Children - _last.Children:0.0}";
        _last = now;
        return text;
    }

    private (double Self, double Postgres, double Serve, double Children) Sample()
    {
        double postgres = 0, serve = 0, children = 0;
        var self = Environment.ProcessId;
        double selfCpu = 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || Stat(pid) is not { } stat)
            {
                continue;
            }

            if (pid == self)
            {
                selfCpu = stat.Own;
                children += stat.Reaped;
            }
            else if (pid == _postmaster)
            {
                postgres += stat.Own + stat.Reaped;
            }
            else if (stat.Parent == _postmaster)
            {
                postgres += stat.Own;
            }
            else if (pid == _serve)
            {
                serve += stat.Own + stat.Reaped;
            }
            else if (stat.Parent == self)
            {
                children += stat.Own + stat.Reaped;
            }
        }

        return (selfCpu, postgres, serve, children);
    }

    private static (int Parent, double Own, double Reaped)? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            double Field(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture) / TicksPerSecond;
            return (int.Parse(fields[1], CultureInfo.InvariantCulture), Field(11) + Field(12), Field(13) + Field(14));
        }
        catch (IOException)
        {
            return null;
        }
    }
}
