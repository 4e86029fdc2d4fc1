using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BatchExports.Core.Persistence;

/// <summary>Maps <see cref="JsonNode"/> properties onto <c>jsonb</c> columns, compared by content.</summary>
internal static class JsonColumns
{
    public static PropertyBuilder<JsonObject?> IsJsonb(this PropertyBuilder<JsonObject?> property) =>
        property.HasColumnType("jsonb").HasConversion(
            value => value == null ? null : value.ToJsonString(null),
            text => text == null ? null : JsonNode.Parse(text, null, default)!.AsObject(),
            new ValueComparer<JsonObject?>(
                (a, b) => JsonNode.DeepEquals(a, b),
                value => value == null ? 0 : value.ToJsonString(null).GetHashCode(),
                value => value == null ? null : value.DeepClone().AsObject()));

    public static PropertyBuilder<JsonArray?> IsJsonb(this PropertyBuilder<JsonArray?> property) =>
        property.HasColumnType("jsonb").HasConversion(
            value => value == null ? null : value.ToJsonString(null),
            text => text == null ? null : JsonNode.Parse(text, null, default)!.AsArray(),
            new ValueComparer<JsonArray?>(
                (a, b) => JsonNode.DeepEquals(a, b),
                value => value == null ? 0 : value.ToJsonString(null).GetHashCode(),
                value => value == null ? null : value.DeepClone().AsArray()));
}
