using System.Buffers.Binary;

namespace BatchExports.Api.Commands.GenerateEvents;

/// <summary>
/// xoshiro256** seeded through SplitMix64. Our own rather than <see cref="Random"/>: the sequence for a seed must
/// never change with the runtime, because generated data is reproduced from its seed.
/// </summary>
internal sealed class SyntheticRandom
{
    private const string HexDigits = "0123456789abcdef";
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public SyntheticRandom(long seed)
    {
        var state = (ulong)seed;
        _s0 = SplitMix(ref state);
        _s1 = SplitMix(ref state);
        _s2 = SplitMix(ref state);
        _s3 = SplitMix(ref state);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive) => (int)(((NextUInt64() >> 32) * (ulong)maxExclusive) >> 32);

    public int Next(int minInclusive, int maxExclusive) => minInclusive + Next(maxExclusive - minInclusive);

    /// <summary>Uniform in [0, <paramref name="maxExclusive"/>).</summary>
    public long NextLong(long maxExclusive) => (long)(((UInt128)NextUInt64() * (ulong)maxExclusive) >> 64);

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public bool Chance(double probability) => NextDouble() < probability;

    public double Exponential(double mean) => -mean * Math.Log(1 - NextDouble());

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    public string Hex(int length) => Text(length, HexDigits);

    public string Alphanumeric(int length) => Text(length, Base62);

    public Guid GuidV4()
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, NextUInt64());
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], NextUInt64());
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>A UUIDv7 for the given Unix time, as PostHog's SDKs give events and sessions: ids sort by time.</summary>
    public Guid GuidV7(long unixMicroseconds)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], NextUInt64());
        BinaryPrimitives.WriteUInt64BigEndian(bytes, (ulong)(unixMicroseconds / 1000) << 16 | (NextUInt64() & 0x0FFF));
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x70);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    private string Text(int length, string alphabet) =>
        string.Create(length, (this, alphabet), static (span, state) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = state.alphabet[state.Item1.Next(state.alphabet.Length)];
            }
        });

    private static ulong SplitMix(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}

/// <summary>Items drawn in proportion to their weights.</summary>
internal sealed class Weighted<T>
{
    private readonly T[] _items;
    private readonly int[] _cumulative;

    public Weighted(IEnumerable<(T Item, int Weight)> entries)
    {
        var list = entries.ToList();
        _items = list.Select(e => e.Item).ToArray();
        _cumulative = new int[list.Count];
        var total = 0;
        for (var i = 0; i < list.Count; i++)
        {
            total += list[i].Weight;
            _cumulative[i] = total;
        }
    }

    public T Pick(SyntheticRandom random)
    {
        var target = random.Next(_cumulative[^1]);
        var i = 0;
        while (_cumulative[i] <= target)
        {
            i++;
        }

        return _items[i];
    }
}
