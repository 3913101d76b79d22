using System.Numerics;
using System.Text;

namespace Research.Torch.IO.Pth;

/// <summary>A Python tuple as the restricted unpickler builds it.</summary>
internal sealed record PickleTuple(IReadOnlyList<object?> Items)
{
    public static readonly PickleTuple Empty = new(Array.Empty<object?>());

    public int Count => Items.Count;
    public object? this[int index] => Items[index];
}

/// <summary>A Python list as the restricted unpickler builds it (mutable, since APPEND fills it after it is made).</summary>
internal sealed class PickleList
{
    public List<object?> Items { get; } = [];
}

/// <summary>
/// A Python dict or OrderedDict: entries in insertion order, a repeated key replacing the
/// value in place as Python does. Keys are the hashable scalars a state dict uses (str, int,
/// bool, float); the unpickler refuses any other key.
/// </summary>
internal sealed class PickleDict(bool isOrdered)
{
    private readonly List<KeyValuePair<object, object?>> _entries = [];
    private readonly Dictionary<object, int> _index = [];

    /// <summary>True for collections.OrderedDict, false for a plain dict (only messages tell them apart).</summary>
    public bool IsOrdered { get; } = isOrdered;

    public int Count => _entries.Count;
    public IReadOnlyList<KeyValuePair<object, object?>> Entries => _entries;

    public void Set(object key, object? value)
    {
        if (_index.TryGetValue(key, out int at)) _entries[at] = new(key, value);
        else
        {
            _index.Add(key, _entries.Count);
            _entries.Add(new(key, value));
        }
    }

    public bool TryGetValue(object key, out object? value)
    {
        if (_index.TryGetValue(key, out int at))
        {
            value = _entries[at].Value;
            return true;
        }
        value = null;
        return false;
    }

    /// <summary>Whether a value of this type can be a key (it has value equality here and is hashable in Python).</summary>
    public static bool IsKey(object? key) => key is string or long or BigInteger or bool or double;
}

/// <summary>Short descriptions of unpickled values, for refusals: "an int 3", "a str 'abc'", "a tuple of 2"...</summary>
internal static class PickleValue
{
    private const int MaxShownChars = 80;

    public static string Describe(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        long or BigInteger => $"an int {value}",
        double d => $"a float {d.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}",
        string s => $"a str {Quote(s)}",
        PickleTuple t => $"a tuple of {t.Count}",
        PickleList l => $"a list of {l.Items.Count}",
        PickleDict d => $"{(d.IsOrdered ? "an OrderedDict" : "a dict")} of {d.Count}",
        PickledTensor t => $"a tensor {t}",
        PickledStorage s => $"a storage {s}",
        AllowedGlobal g => $"the global {g.FullName}",
        _ => $"a {value.GetType().Name}",
    };

    /// <summary>A key or name as Python would print it: quoted, control characters escaped, long text cut.</summary>
    public static string Quote(object? key)
    {
        if (key is not string s) return Describe(key);
        var sb = new StringBuilder("'");
        foreach (var c in s.Length > MaxShownChars ? s[..MaxShownChars] : s)
        {
            if (c == '\'' || c == '\\') sb.Append('\\').Append(c);
            else if (char.IsControl(c) || char.IsSurrogate(c)) sb.Append($"\\u{(int)c:x4}");
            else sb.Append(c);
        }
        sb.Append('\'');
        if (s.Length > MaxShownChars) sb.Append($"... ({s.Length} characters)");
        return sb.ToString();
    }
}
