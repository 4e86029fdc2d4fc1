using BatchExports.Core.Domain;

namespace BatchExports.Core.Services.Backfills;

/// <summary>PostHog's backfill <c>progress</c> (spec §5.4), counting the runs the calendar yields.</summary>
public static class BackfillProgressRules
{
    public static BackfillRunProgress? Compute(BatchExportBackfill backfill, ScheduleSpec spec, int finishedRuns, DateTimeOffset now)
    {
        var total = TotalExpectedRuns(backfill, spec, now);
        if (backfill.Status == BackfillStatuses.Completed)
        {
            return new BackfillRunProgress(total, total, 1.0);
        }

        if (!BackfillStatuses.IsActive(backfill.Status) || total is null or 0 || (backfill.StartAt == null && backfill.AdjustedStartAt == null))
        {
            return null;
        }

        var expected = Math.Max(total.Value, finishedRuns);
        return new BackfillRunProgress(expected, finishedRuns, RoundToTenths((double)finishedRuns / expected));
    }

    /// <summary>
    /// Python's <c>round(x, 1)</c>: the exact binary value of <paramref name="value"/> rounded half to even. Unlike
    /// <see cref="Math.Round(double, int)"/>, which rounds <c>x * 10</c>: 1/20 is 0.1 in PostHog, but 0 that way.
    /// </summary>
    public static double RoundToTenths(double value)
    {
        if (value == 0 || !double.IsFinite(value))
        {
            return value;
        }

        var bits = BitConverter.DoubleToInt64Bits(Math.Abs(value));
        var exponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0)
        {
            exponent = 1;
        }
        else
        {
            mantissa |= 1L << 52;
        }

        // |value| * 10 = numerator / denominator exactly.
        exponent -= 1075;
        var numerator = new System.Numerics.BigInteger(mantissa) * 10;
        var denominator = System.Numerics.BigInteger.One;
        if (exponent < 0)
        {
            denominator <<= -exponent;
        }
        else
        {
            numerator <<= exponent;
        }

        var tenths = System.Numerics.BigInteger.DivRem(numerator, denominator, out var remainder);
        var half = (remainder * 2).CompareTo(denominator);
        if (half > 0 || (half == 0 && !tenths.IsEven))
        {
            tenths += 1;
        }

        return Math.CopySign((double)tenths / 10, value);
    }

    /// <summary>The calendar's count of intervals (every interval of a range with data runs, empty ones included).</summary>
    public static int? TotalExpectedRuns(BatchExportBackfill backfill, ScheduleSpec spec, DateTimeOffset now)
    {
        var start = backfill.AdjustedStartAt ?? backfill.StartAt;
        if (start == null)
        {
            // A backfill from the beginning of time over a model with no data at all runs nothing.
            return backfill.TotalRecordsCount == 0 ? 0 : 1;
        }

        // A backfill whose range held no data finished at once and expected no runs. PostHog says so for any count of
        // 0, but the count becomes the records exported when a backfill ends, so that would also turn a backfill whose
        // runs exported nothing (NoOp, or every record filtered out) into "0 runs"; one that never made a run is exact.
        if (backfill.TotalRecordsCount == 0 && backfill.LastIntervalEnd == null)
        {
            return 0;
        }

        var end = backfill.EndAt ?? backfill.FinishedAt ?? (backfill.Status == BackfillStatuses.Running || backfill.Status == BackfillStatuses.Starting ? now : null);
        return end == null ? null : ExportCalendar.CountIntervalsCovering(spec, start.Value, end.Value);
    }
}
