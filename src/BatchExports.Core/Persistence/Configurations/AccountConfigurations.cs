using BatchExports.Core.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BatchExports.Core.Persistence.Configurations;

internal sealed class OrganizationConfiguration : IEntityTypeConfiguration<Organization>
{
    public void Configure(EntityTypeBuilder<Organization> builder)
    {
        builder.ToTable("organizations");
        builder.Property(o => o.Name).HasMaxLength(64);
    }
}

internal sealed class TeamConfiguration : IEntityTypeConfiguration<Team>
{
    public void Configure(EntityTypeBuilder<Team> builder)
    {
        builder.ToTable("teams");
        builder.Property(t => t.Id).UseIdentityByDefaultColumn();
        builder.Property(t => t.Name).HasMaxLength(200);
        builder.Property(t => t.Timezone).HasMaxLength(240);
        builder.HasIndex(t => t.Uuid).IsUnique();
        builder.HasOne<Organization>().WithMany().HasForeignKey(t => t.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.ToTable("users");
        builder.Property(u => u.Id).UseIdentityByDefaultColumn();
        builder.Property(u => u.Email).HasMaxLength(254);
        builder.HasIndex(u => u.Email).IsUnique();
        builder.HasOne<Team>().WithMany().HasForeignKey(u => u.CurrentTeamId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class OrganizationMembershipConfiguration : IEntityTypeConfiguration<OrganizationMembership>
{
    public void Configure(EntityTypeBuilder<OrganizationMembership> builder)
    {
        builder.ToTable("organization_memberships");
        builder.HasIndex(m => new { m.OrganizationId, m.UserId }).IsUnique();
        builder.HasOne<Organization>().WithMany().HasForeignKey(m => m.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<User>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PersonalApiKeyConfiguration : IEntityTypeConfiguration<PersonalApiKey>
{
    public void Configure(EntityTypeBuilder<PersonalApiKey> builder)
    {
        builder.ToTable("personal_api_keys");
        builder.Property(k => k.Id).HasMaxLength(50);
        builder.Property(k => k.Label).HasMaxLength(40);
        builder.Property(k => k.MaskValue).HasMaxLength(11);
        builder.Property(k => k.SecureValue).HasMaxLength(300);
        builder.HasIndex(k => k.SecureValue).IsUnique();
        builder.HasOne<User>().WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
