namespace BatchExports.Pipeline.Runs;

/// <summary>
/// An <see cref="IRunOwnership"/> by lease: the run is ours while <see cref="LeaseOwner"/> holds its lease and it is
/// Running, and letting go clears the lease. Said as data, so the lifecycle can write the final statuses of many runs
/// held this way in one statement (<see cref="RunFinalWriter"/>), with the same predicate as
/// <see cref="IRunOwnership.Owned"/>.
/// </summary>
public interface ILeaseOwnership : IRunOwnership
{
    Guid RunId { get; }

    string LeaseOwner { get; }
}
