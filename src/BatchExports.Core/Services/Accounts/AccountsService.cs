using BatchExports.Core.Domain;
using BatchExports.Core.Persistence;
using BatchExports.Core.Security;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Core.Services.Accounts;

/// <summary>Organizations, teams, users and keys, as the operator commands and the first start create them.</summary>
public sealed class AccountsService(BatchExportsDbContext db, TimeProvider clock)
{
    public const string DefaultOrganizationName = "Default organization";
    public const string DefaultProjectName = "Default project";
    public const string DefaultUserEmail = "admin@batchexports.local";

    public async Task<Guid> CreateOrganizationAsync(string name, CancellationToken cancellationToken)
    {
        RequireText(name, "--name");
        var organization = new Organization { Id = Guid.CreateVersion7(), Name = name.Trim(), CreatedAt = clock.GetUtcNow() };
        db.Organizations.Add(organization);
        await db.SaveChangesAsync(cancellationToken);
        return organization.Id;
    }

    public async Task<int> CreateTeamAsync(Guid organizationId, string name, CancellationToken cancellationToken)
    {
        RequireText(name, "--name");
        if (!await db.Organizations.AnyAsync(o => o.Id == organizationId, cancellationToken))
        {
            throw new ArgumentException($"Organization {organizationId} does not exist.");
        }

        var team = new Team { Uuid = Guid.CreateVersion7(), OrganizationId = organizationId, Name = name.Trim(), CreatedAt = clock.GetUtcNow() };
        db.Teams.Add(team);
        await db.SaveChangesAsync(cancellationToken);
        return team.Id;
    }

    /// <summary>Creates a key for <paramref name="email"/> (making the user a member of the organization if needed) and returns it in plain text, once.</summary>
    public async Task<string> CreateApiKeyAsync(
        string email,
        Guid organizationId,
        IReadOnlyList<string> scopes,
        IReadOnlyList<int>? scopedTeams,
        IReadOnlyList<string>? scopedOrganizations,
        string? label,
        CancellationToken cancellationToken,
        string? plainKey = null)
    {
        RequireText(email, "--email");
        foreach (var scope in scopes)
        {
            if (!IsValidScope(scope))
            {
                throw new ArgumentException($"'{scope}' is not a scope. Use '*', or '<object>:read' / '<object>:write' such as 'batch_export:write'.");
            }
        }

        if (!await db.Organizations.AnyAsync(o => o.Id == organizationId, cancellationToken))
        {
            throw new ArgumentException($"Organization {organizationId} does not exist.");
        }

        var user = await EnsureMemberAsync(email.Trim(), organizationId, OrganizationMembership.Member, cancellationToken);
        plainKey ??= PersonalApiKeys.Generate();
        db.PersonalApiKeys.Add(new PersonalApiKey
        {
            Id = Guid.CreateVersion7().ToString("N"),
            UserId = user.Id,
            Label = string.IsNullOrWhiteSpace(label) ? "Personal API key" : label.Trim(),
            MaskValue = PersonalApiKeys.Mask(plainKey),
            SecureValue = PersonalApiKeys.Hash(plainKey),
            Scopes = [.. scopes],
            ScopedTeams = scopedTeams is { Count: > 0 } ? [.. scopedTeams] : null,
            ScopedOrganizations = scopedOrganizations is { Count: > 0 } ? [.. scopedOrganizations] : null,
            CreatedAt = clock.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);
        return plainKey;
    }

    /// <summary>
    /// On an empty database: a default organization, team 1, a user and a <c>*</c> key, whose plain text is returned once.
    /// With <paramref name="bootstrapKey"/>, that exact key is made valid instead (idempotently).
    /// </summary>
    public async Task<BootstrapResult> BootstrapAsync(string? bootstrapKey, CancellationToken cancellationToken)
    {
        if (bootstrapKey != null && !bootstrapKey.StartsWith(PersonalApiKeys.Prefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"BATCH_EXPORTS_BOOTSTRAP_API_KEY must start with '{PersonalApiKeys.Prefix}'.");
        }

        var organization = await db.Organizations.OrderBy(o => o.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        var created = false;
        if (organization == null)
        {
            organization = new Organization { Id = Guid.CreateVersion7(), Name = DefaultOrganizationName, CreatedAt = clock.GetUtcNow() };
            db.Organizations.Add(organization);
            db.Teams.Add(new Team { Uuid = Guid.CreateVersion7(), OrganizationId = organization.Id, Name = DefaultProjectName, CreatedAt = clock.GetUtcNow() });
            await db.SaveChangesAsync(cancellationToken);
            created = true;
        }

        var user = await EnsureMemberAsync(DefaultUserEmail, organization.Id, OrganizationMembership.Owner, cancellationToken);
        if (user.CurrentTeamId == null)
        {
            user.CurrentTeamId = await db.Teams.Where(t => t.OrganizationId == organization.Id).OrderBy(t => t.Id).Select(t => (int?)t.Id).FirstOrDefaultAsync(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
        }

        if (bootstrapKey != null)
        {
            var exists = await db.PersonalApiKeys.AnyAsync(k => k.SecureValue == PersonalApiKeys.Hash(bootstrapKey), cancellationToken);
            if (!exists)
            {
                await CreateApiKeyAsync(DefaultUserEmail, organization.Id, [PersonalApiKeys.ScopeAll], null, null, "Bootstrap key", cancellationToken, bootstrapKey);
            }

            return new BootstrapResult(organization.Id, user.CurrentTeamId, null, PersonalApiKeys.Mask(bootstrapKey));
        }

        if (created || !await db.PersonalApiKeys.AnyAsync(k => k.UserId == user.Id, cancellationToken))
        {
            var key = await CreateApiKeyAsync(DefaultUserEmail, organization.Id, [PersonalApiKeys.ScopeAll], null, null, "Bootstrap key", cancellationToken);
            return new BootstrapResult(organization.Id, user.CurrentTeamId, key, PersonalApiKeys.Mask(key));
        }

        var mask = await db.PersonalApiKeys.Where(k => k.UserId == user.Id).OrderBy(k => k.CreatedAt).Select(k => k.MaskValue).FirstAsync(cancellationToken);
        return new BootstrapResult(organization.Id, user.CurrentTeamId, null, mask);
    }

    private async Task<User> EnsureMemberAsync(string email, Guid organizationId, short level, CancellationToken cancellationToken)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Email == email, cancellationToken);
        if (user == null)
        {
            user = new User { Uuid = Guid.CreateVersion7(), Email = email, CreatedAt = clock.GetUtcNow() };
            db.Users.Add(user);
            await db.SaveChangesAsync(cancellationToken);
        }

        if (!await db.OrganizationMemberships.AnyAsync(m => m.UserId == user.Id && m.OrganizationId == organizationId, cancellationToken))
        {
            db.OrganizationMemberships.Add(new OrganizationMembership
            {
                Id = Guid.CreateVersion7(), OrganizationId = organizationId, UserId = user.Id, Level = level, CreatedAt = clock.GetUtcNow(),
            });
            await db.SaveChangesAsync(cancellationToken);
        }

        if (user.CurrentTeamId == null)
        {
            user.CurrentTeamId = await db.Teams.Where(t => t.OrganizationId == organizationId).OrderBy(t => t.Id).Select(t => (int?)t.Id).FirstOrDefaultAsync(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
        }

        return user;
    }

    private static bool IsValidScope(string scope)
    {
        if (scope == PersonalApiKeys.ScopeAll)
        {
            return true;
        }

        var parts = scope.Split(':');
        return parts.Length == 2
            && parts[1] is "read" or "write"
            && parts[0].Length > 0
            && parts[0].All(c => char.IsAsciiLetterLower(c) || c == '_');
    }

    private static void RequireText(string value, string option)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{option} must not be empty.");
        }
    }
}

public sealed record BootstrapResult(Guid OrganizationId, int? TeamId, string? NewPlainKey, string KeyMask);
