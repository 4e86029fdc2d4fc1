using BatchExports.Core.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BatchExports.Core.Persistence.Configurations;

// Reads are per team and interval: scheduled event runs by inserted_at, backfills by timestamp.

internal sealed class SourceEventConfiguration : IEntityTypeConfiguration<SourceEvent>
{
    public void Configure(EntityTypeBuilder<SourceEvent> builder)
    {
        builder.ToTable("events");
        builder.HasKey(e => new { e.TeamId, e.Uuid });
        builder.Property(e => e.Properties).HasColumnType("jsonb");
        builder.Property(e => e.PersonProperties).HasColumnType("jsonb");
        builder.HasIndex(e => new { e.TeamId, e.InsertedAt });
        builder.HasIndex(e => new { e.TeamId, e.Timestamp });
    }
}

internal sealed class SourcePersonConfiguration : IEntityTypeConfiguration<SourcePerson>
{
    public void Configure(EntityTypeBuilder<SourcePerson> builder)
    {
        builder.ToTable("persons");
        builder.HasKey(p => new { p.TeamId, p.Id });
        builder.Property(p => p.Properties).HasColumnType("jsonb");
        builder.HasIndex(p => new { p.TeamId, p.InsertedAt });
    }
}

internal sealed class SourcePersonDistinctIdConfiguration : IEntityTypeConfiguration<SourcePersonDistinctId>
{
    public void Configure(EntityTypeBuilder<SourcePersonDistinctId> builder)
    {
        builder.ToTable("person_distinct_ids");
        builder.HasKey(p => new { p.TeamId, p.DistinctId });
        builder.HasIndex(p => new { p.TeamId, p.PersonId });
        builder.HasIndex(p => new { p.TeamId, p.InsertedAt });
    }
}

internal sealed class SourceSessionConfiguration : IEntityTypeConfiguration<SourceSession>
{
    public void Configure(EntityTypeBuilder<SourceSession> builder)
    {
        builder.ToTable("sessions");
        builder.HasKey(s => new { s.TeamId, s.SessionId });
        builder.HasIndex(s => new { s.TeamId, s.InsertedAt });
        builder.HasIndex(s => new { s.TeamId, s.StartTimestamp });
        // Backfills and their estimates select sessions by when they ended.
        builder.HasIndex(s => new { s.TeamId, s.EndTimestamp });
    }
}
