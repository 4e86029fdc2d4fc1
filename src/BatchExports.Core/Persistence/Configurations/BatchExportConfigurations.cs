using BatchExports.Core.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BatchExports.Core.Persistence.Configurations;

internal sealed class BatchExportDestinationConfiguration : IEntityTypeConfiguration<BatchExportDestination>
{
    public void Configure(EntityTypeBuilder<BatchExportDestination> builder)
    {
        builder.ToTable("batch_export_destinations");
        builder.Property(d => d.Type).HasMaxLength(64);
    }
}

internal sealed class BatchExportConfiguration : IEntityTypeConfiguration<BatchExport>
{
    public void Configure(EntityTypeBuilder<BatchExport> builder)
    {
        builder.ToTable("batch_exports");
        builder.Property(e => e.Interval).HasMaxLength(64);
        builder.Property(e => e.Model).HasMaxLength(64);
        builder.Property(e => e.Timezone).HasMaxLength(240);
        builder.Property(e => e.Schema).IsJsonb();
        builder.Property(e => e.Filters).IsJsonb();
        builder.Ignore(e => e.OffsetDay);
        builder.Ignore(e => e.OffsetHour);
        builder.HasOne<Team>().WithMany().HasForeignKey(e => e.TeamId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(e => e.Destination).WithMany().HasForeignKey(e => e.DestinationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => new { e.TeamId, e.CreatedAt });
    }
}

internal sealed class BatchExportRunConfiguration : IEntityTypeConfiguration<BatchExportRun>
{
    public void Configure(EntityTypeBuilder<BatchExportRun> builder)
    {
        builder.ToTable("batch_export_runs");
        builder.Property(r => r.Status).HasMaxLength(64);
        builder.Property(r => r.LeaseOwner).HasMaxLength(200);
        builder.HasOne<BatchExport>().WithMany().HasForeignKey(r => r.BatchExportId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<BatchExportOnDemand>().WithMany().HasForeignKey(r => r.BatchExportOnDemandId).OnDelete(DeleteBehavior.Cascade);
        builder.ToTable(t => t.HasCheckConstraint(
            "ck_batch_export_runs_one_parent", "(batch_export_id IS NULL) <> (batch_export_on_demand_id IS NULL)"));
        builder.HasIndex(r => new { r.BatchExportOnDemandId, r.CreatedAt });
        builder.HasOne<BatchExportBackfill>().WithMany().HasForeignKey(r => r.BackfillId).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(r => new { r.BatchExportId, r.CreatedAt });
        builder.HasIndex(r => new { r.BatchExportId, r.DataIntervalStart });

        // Exactly one scheduled run per interval, however many engines share the database.
        builder.HasIndex(r => new { r.BatchExportId, r.DataIntervalEnd })
            .IsUnique()
            .HasFilter("backfill_id IS NULL")
            .HasDatabaseName("ux_batch_export_runs_scheduled_interval");

        // Exactly one run per interval of a backfill.
        builder.HasIndex(r => new { r.BackfillId, r.DataIntervalEnd })
            .IsUnique()
            .HasFilter("backfill_id IS NOT NULL")
            .HasDatabaseName("ux_batch_export_runs_backfill_interval");

        // What executors poll: runs that may be claimed.
        builder.HasIndex(r => r.NextAttemptAt)
            .HasFilter("status IN ('Starting', 'Running')")
            .HasDatabaseName("ix_batch_export_runs_claimable");
    }
}

internal sealed class BatchExportOnDemandConfiguration : IEntityTypeConfiguration<BatchExportOnDemand>
{
    public void Configure(EntityTypeBuilder<BatchExportOnDemand> builder)
    {
        builder.ToTable("batch_export_on_demands");
        builder.Property(e => e.Model).HasMaxLength(64);
        builder.Property(e => e.Filters).IsJsonb();
        builder.HasOne<Team>().WithMany().HasForeignKey(e => e.TeamId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(e => e.Destination).WithMany().HasForeignKey(e => e.DestinationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => new { e.TeamId, e.CreatedAt });
    }
}

internal sealed class BatchExportFileDownloadConfiguration : IEntityTypeConfiguration<BatchExportFileDownload>
{
    public void Configure(EntityTypeBuilder<BatchExportFileDownload> builder)
    {
        builder.ToTable("batch_export_file_downloads");
        builder.Property(f => f.Key).HasMaxLength(1024);
        builder.HasOne<Team>().WithMany().HasForeignKey(f => f.TeamId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<BatchExportRun>().WithMany().HasForeignKey(f => f.BatchExportRunId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(f => new { f.TeamId, f.Key });
        builder.HasIndex(f => new { f.BatchExportRunId, f.Key }).IsUnique();

        // What expiry cleanup polls: stored files that have an expiry.
        builder.HasIndex(f => f.ExpiresAt).HasFilter("removed_at IS NULL").HasDatabaseName("ix_batch_export_file_downloads_expiring");
    }
}

internal sealed class BatchExportBackfillConfiguration : IEntityTypeConfiguration<BatchExportBackfill>
{
    public void Configure(EntityTypeBuilder<BatchExportBackfill> builder)
    {
        builder.ToTable("batch_export_backfills");
        builder.Property(b => b.Status).HasMaxLength(64);
        builder.HasOne<Team>().WithMany().HasForeignKey(b => b.TeamId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<BatchExport>().WithMany().HasForeignKey(b => b.BatchExportId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(b => new { b.BatchExportId, b.CreatedAt });
        builder.HasIndex(b => new { b.TeamId, b.Status });
    }
}

internal sealed class BatchExportLogEntryConfiguration : IEntityTypeConfiguration<BatchExportLogEntry>
{
    public void Configure(EntityTypeBuilder<BatchExportLogEntry> builder)
    {
        builder.ToTable("batch_export_log_entries");
        builder.Property(l => l.Id).UseIdentityByDefaultColumn();
        builder.Property(l => l.Level).HasMaxLength(16);
        builder.Property(l => l.InstanceId).HasMaxLength(200);
        builder.HasOne<BatchExport>().WithMany().HasForeignKey(l => l.BatchExportId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<BatchExportOnDemand>().WithMany().HasForeignKey(l => l.BatchExportOnDemandId).OnDelete(DeleteBehavior.Cascade);
        builder.ToTable(t => t.HasCheckConstraint(
            "ck_batch_export_log_entries_one_source", "(batch_export_id IS NULL) <> (batch_export_on_demand_id IS NULL)"));
        builder.HasIndex(l => new { l.BatchExportId, l.Timestamp });
        builder.HasIndex(l => new { l.BatchExportOnDemandId, l.Timestamp });
        builder.HasIndex(l => new { l.InstanceId, l.Timestamp });
    }
}

internal sealed class BatchExportScheduleConfiguration : IEntityTypeConfiguration<BatchExportSchedule>
{
    public void Configure(EntityTypeBuilder<BatchExportSchedule> builder)
    {
        builder.ToTable("batch_export_schedules");
        builder.HasKey(s => s.BatchExportId);
        builder.Property(s => s.Interval).HasMaxLength(64);
        builder.Property(s => s.Timezone).HasMaxLength(240);
        builder.HasOne<BatchExport>().WithOne().HasForeignKey<BatchExportSchedule>(s => s.BatchExportId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(s => s.NextFiringAt).HasFilter("NOT paused").HasDatabaseName("ix_batch_export_schedules_due");
    }
}
