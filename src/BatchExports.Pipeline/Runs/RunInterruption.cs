namespace BatchExports.Pipeline.Runs;

/// <summary>Why a run's execution was cancelled, if it was.</summary>
public enum RunInterruption
{
    /// <summary>Not interrupted: a failure is the run's own.</summary>
    None,

    /// <summary>The user cancelled the run (its status is no longer Running).</summary>
    Cancelled,

    /// <summary>The process is stopping: the run is handed back, this attempt uncounted.</summary>
    Stopping,
}
