namespace BatchExports.Pipeline.Embedded;

/// <summary>A claim on a run created for the caller: its lease owner and expiry, and the instant of the claim.</summary>
public sealed record RunClaim(string InstanceId, DateTimeOffset LeaseUntil, DateTimeOffset Now);
