using BatchExports.Core.Domain;
using BatchExports.Core.Security;

namespace BatchExports.Core.Services.BatchExports;

/// <summary>Creates a batch export and its schedule.</summary>
public sealed class CreateBatchExport(BatchExportRules rules, ScheduledSave save, ConfigCipher cipher, TimeProvider clock)
{
    public async Task<BatchExportView> CreateAsync(ExportScope scope, IBatchExportInput input, CancellationToken cancellationToken)
    {
        var teamId = BatchExportRules.ResolveCreateTeam(scope, input);
        var draft = rules.CheckNew(input);
        var now = clock.GetUtcNow();
        var export = new BatchExport
        {
            Id = Guid.CreateVersion7(),
            TeamId = teamId,
            Name = input.Name!,
            Model = draft.Model,
            Interval = draft.Interval,
            Paused = input.Paused ?? false,
            CreatedAt = now,
            LastUpdatedAt = now,
            LastPausedAt = input.LastPausedAt,
            StartAt = input.StartAt,
            EndAt = input.EndAt,
            Timezone = input.Timezone ?? "UTC",
            IntervalOffset = draft.IntervalOffset,
            Schema = draft.Schema,
            Filters = draft.Filters,
        };
        BatchExportRules.CheckScheduleBounds(export);
        var destination = new BatchExportDestination
        {
            Id = Guid.CreateVersion7(),
            Type = draft.Destination.Type,
            IntegrationId = null,
            CreatedAt = now,
            LastUpdatedAt = now,
        };
        destination.ConfigCiphertext = cipher.Encrypt(draft.Config, destination.Id);
        export.Destination = destination;
        export.DestinationId = destination.Id;

        await save.SaveAsync(export, isNew: true, cancellationToken);
        return new BatchExportView(export, draft.Config, []);
    }
}
