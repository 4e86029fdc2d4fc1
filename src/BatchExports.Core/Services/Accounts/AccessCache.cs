using System.Collections.Concurrent;

namespace BatchExports.Core.Services.Accounts;

/// <summary>
/// Short-lived copies of what every authenticated request would otherwise read from the database: the personal API
/// key (its user, scopes and restrictions), the addressed team and the caller's organization membership. An entry is
/// trusted for <see cref="TimeToLive"/> only, so a deleted key, a key that lost a scope, a deactivated user or a user
/// removed from an organization stops working within that time, without a query per request.
/// </summary>
public sealed class AccessCache(TimeProvider clock)
{
    public static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(3);

    // Only authenticated lookups are stored (unknown keys are not), so this bounds memory against many valid keys and
    // teams; clearing everything when full costs one query per caller, nothing more.
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<object, Entry> _entries = new();

    public bool TryGet<T>(object key, out T value)
    {
        if (_entries.TryGetValue(key, out var entry) && clock.GetUtcNow() < entry.ExpiresAt && entry.Value is T typed)
        {
            value = typed;
            return true;
        }

        value = default!;
        return false;
    }

    public void Set<T>(object key, T value)
        where T : notnull
    {
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        _entries[key] = new Entry(value, clock.GetUtcNow() + TimeToLive);
    }

    private sealed record Entry(object Value, DateTimeOffset ExpiresAt);
}
