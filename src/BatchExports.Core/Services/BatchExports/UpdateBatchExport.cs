using BatchExports.Core.Security;

namespace BatchExports.Core.Services.BatchExports;

/// <summary>PUT and PATCH of a batch export: the rules against the stored export, then the row and its schedule.</summary>
public sealed class UpdateBatchExport(
    ExportLookup lookup, BatchExportRules rules, ScheduledSave save, BatchExportReader reader, ConfigCipher cipher, TimeProvider clock)
{
    public async Task<BatchExportView> UpdateAsync(
        ExportScope scope, string rawId, IBatchExportInput input, bool partial, CancellationToken cancellationToken)
    {
        var export = await lookup.FindAsync(scope, rawId, tracked: true, cancellationToken);
        var config = rules.ApplyUpdate(
            export,
            cipher.Decrypt(export.Destination.ConfigCiphertext, export.Destination.Id),
            input,
            partial,
            updated => cipher.Encrypt(updated, export.Destination.Id),
            clock.GetUtcNow());
        await save.SaveAsync(export, isNew: false, cancellationToken);
        return await reader.ViewAsync(export, config, cancellationToken);
    }
}
