using System.Globalization;

namespace DistillOperator.Training.Data;

/// <summary>
/// The classes of a task and how raw label values map to class indices: listed names (a value is a name or an index),
/// or, when none are listed, integers as they are or strings in sorted order.
/// </summary>
public sealed class LabelSet
{
    private readonly Dictionary<string, int> _indexByName;

    private LabelSet(IReadOnlyList<string> names, bool namesAreIndices)
    {
        Names = names;
        NamesAreIndices = namesAreIndices;
        _indexByName = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
    }

    /// <summary>Class names in index order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Number of classes.</summary>
    public int Count => Names.Count;

    /// <summary>True when the labels were integer indices in the data (names are "0", "1", …).</summary>
    public bool NamesAreIndices { get; }

    /// <summary>The classes as listed in the job spec.</summary>
    public static LabelSet FromNames(IReadOnlyList<string> names) => new(names, namesAreIndices: false);

    /// <summary>Infers the classes from the raw label values of the training set.</summary>
    public static LabelSet Infer(IEnumerable<string> rawLabels, string source)
    {
        var distinct = rawLabels.Distinct(StringComparer.Ordinal).ToList();
        if (distinct.Count == 0)
        {
            throw new InvalidDataException($"{source}: no examples");
        }

        if (distinct.All(v => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) && i >= 0))
        {
            var max = distinct.Max(v => int.Parse(v, CultureInfo.InvariantCulture));
            if (max > 10_000)
            {
                throw new InvalidDataException($"{source}: label {max} is too large for a class index; list the classes in labels");
            }

            return new LabelSet([.. Enumerable.Range(0, Math.Max(2, max + 1)).Select(i => i.ToString(CultureInfo.InvariantCulture))], namesAreIndices: true);
        }

        return new LabelSet([.. distinct.Order(StringComparer.Ordinal)], namesAreIndices: false);
    }

    /// <summary>The class index of a raw label value, or an error message saying why it has none.</summary>
    public (int? Index, string? Error) Resolve(string raw)
    {
        if (_indexByName.TryGetValue(raw, out var byName))
        {
            return (byName, null);
        }

        if (int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var index))
        {
            return index >= 0 && index < Count
                ? (index, null)
                : (null, $"label {raw} is out of range: the task has {Count} classes ({DescribeRange()})");
        }

        return (null, $"label \"{raw}\" is not one of the classes ({DescribeRange()})");
    }

    private string DescribeRange() => NamesAreIndices ? $"0..{Count - 1}" : string.Join(", ", Names);
}
