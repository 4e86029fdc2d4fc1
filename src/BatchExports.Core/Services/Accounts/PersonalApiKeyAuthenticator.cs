using BatchExports.Core.Persistence;
using BatchExports.Core.Security;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Core.Services.Accounts;

public sealed class PersonalApiKeyAuthenticator(BatchExportsDbContext db, TimeProvider clock, AccessCache cache)
{
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromHours(1);

    /// <summary>The caller behind <paramref name="plainKey"/>, or null when no active user holds it.</summary>
    public async Task<Caller?> AuthenticateAsync(string plainKey, CancellationToken cancellationToken)
    {
        var secureValue = PersonalApiKeys.Hash(plainKey);
        // Unknown keys are never cached: they always reach the database, and cannot fill the cache.
        var cacheKey = (nameof(PersonalApiKeyAuthenticator), secureValue);
        if (cache.TryGet<Caller>(cacheKey, out var cached))
        {
            return cached;
        }

        var match = await (
            from key in db.PersonalApiKeys
            join user in db.Users on key.UserId equals user.Id
            where key.SecureValue == secureValue && user.IsActive
            select new { key.Id, key.Scopes, key.ScopedTeams, key.ScopedOrganizations, key.LastUsedAt, user.CurrentTeamId, UserId = user.Id })
            .AsNoTracking()
            .SingleOrDefaultAsync(cancellationToken);
        if (match == null)
        {
            return null;
        }

        // PostHog writes last_used_at at most once an hour, to keep authentication read-only on the hot path.
        var now = clock.GetUtcNow();
        if (match.LastUsedAt == null || now - match.LastUsedAt.Value >= LastUsedResolution)
        {
            await db.PersonalApiKeys.Where(k => k.Id == match.Id)
                .ExecuteUpdateAsync(set => set.SetProperty(k => k.LastUsedAt, now), cancellationToken);
        }

        // last_used_at is checked above on every cache miss, i.e. at least every AccessCache.TimeToLive while in use.
        var caller = new Caller(match.UserId, match.CurrentTeamId, match.Id, match.Scopes, match.ScopedTeams, match.ScopedOrganizations);
        cache.Set(cacheKey, caller);
        return caller;
    }
}
